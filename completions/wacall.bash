_wacall() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="wacall"
                ;;
            wacall,bridge)
                cmd="wacall__subcmd__bridge"
                ;;
            wacall,completions)
                cmd="wacall__subcmd__completions"
                ;;
            wacall,demo)
                cmd="wacall__subcmd__demo"
                ;;
            wacall,devices)
                cmd="wacall__subcmd__devices"
                ;;
            wacall,help)
                cmd="wacall__subcmd__help"
                ;;
            wacall,lint-sdp)
                cmd="wacall__subcmd__lint__subcmd__sdp"
                ;;
            wacall,listen)
                cmd="wacall__subcmd__listen"
                ;;
            wacall,man)
                cmd="wacall__subcmd__man"
                ;;
            wacall,replay)
                cmd="wacall__subcmd__replay"
                ;;
            wacall,serve)
                cmd="wacall__subcmd__serve"
                ;;
            wacall,sim)
                cmd="wacall__subcmd__sim"
                ;;
            wacall__subcmd__help,bridge)
                cmd="wacall__subcmd__help__subcmd__bridge"
                ;;
            wacall__subcmd__help,completions)
                cmd="wacall__subcmd__help__subcmd__completions"
                ;;
            wacall__subcmd__help,demo)
                cmd="wacall__subcmd__help__subcmd__demo"
                ;;
            wacall__subcmd__help,devices)
                cmd="wacall__subcmd__help__subcmd__devices"
                ;;
            wacall__subcmd__help,help)
                cmd="wacall__subcmd__help__subcmd__help"
                ;;
            wacall__subcmd__help,lint-sdp)
                cmd="wacall__subcmd__help__subcmd__lint__subcmd__sdp"
                ;;
            wacall__subcmd__help,listen)
                cmd="wacall__subcmd__help__subcmd__listen"
                ;;
            wacall__subcmd__help,man)
                cmd="wacall__subcmd__help__subcmd__man"
                ;;
            wacall__subcmd__help,replay)
                cmd="wacall__subcmd__help__subcmd__replay"
                ;;
            wacall__subcmd__help,serve)
                cmd="wacall__subcmd__help__subcmd__serve"
                ;;
            wacall__subcmd__help,sim)
                cmd="wacall__subcmd__help__subcmd__sim"
                ;;
            wacall__subcmd__help__subcmd__sim,offer)
                cmd="wacall__subcmd__help__subcmd__sim__subcmd__offer"
                ;;
            wacall__subcmd__help__subcmd__sim,openai)
                cmd="wacall__subcmd__help__subcmd__sim__subcmd__openai"
                ;;
            wacall__subcmd__sim,help)
                cmd="wacall__subcmd__sim__subcmd__help"
                ;;
            wacall__subcmd__sim,offer)
                cmd="wacall__subcmd__sim__subcmd__offer"
                ;;
            wacall__subcmd__sim,openai)
                cmd="wacall__subcmd__sim__subcmd__openai"
                ;;
            wacall__subcmd__sim__subcmd__help,help)
                cmd="wacall__subcmd__sim__subcmd__help__subcmd__help"
                ;;
            wacall__subcmd__sim__subcmd__help,offer)
                cmd="wacall__subcmd__sim__subcmd__help__subcmd__offer"
                ;;
            wacall__subcmd__sim__subcmd__help,openai)
                cmd="wacall__subcmd__sim__subcmd__help__subcmd__openai"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        wacall)
            opts="-v -q -h -V --color --json --verbose --quiet --help --version lint-sdp bridge demo sim listen replay serve devices completions man help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__bridge)
            opts="-v -q -h -V --offer --to --answer-out --answer-format --graph --call-id --phone-number-id --token-file --graph-url --graph-version --accept-window --bind --stun --turn --turn-username --turn-credential --public-ip --udp-ports --gather-timeout --ice-check-interval --media-stack --connect-timeout --opus-complexity --duration --record --force --input-device --output-device --mute --model --voice --instructions --instructions-file --greeting --vad --transcription-model --openai-url --openai-transport --price --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --offer)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --to)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --answer-out)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --answer-format)
                    COMPREPLY=($(compgen -W "sdp graph" -- "${cur}"))
                    return 0
                    ;;
                --call-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --phone-number-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-version)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --accept-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --bind)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --stun)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn-credential)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --public-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --udp-ports)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --gather-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ice-check-interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --media-stack)
                    COMPREPLY=($(compgen -W "rtc lean" -- "${cur}"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --opus-complexity)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --duration)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --record)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --input-device)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --output-device)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --model)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --voice)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --instructions)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --instructions-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --greeting)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --vad)
                    COMPREPLY=($(compgen -W "server semantic" -- "${cur}"))
                    return 0
                    ;;
                --transcription-model)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --openai-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --openai-transport)
                    COMPREPLY=($(compgen -W "websocket webrtc" -- "${cur}"))
                    return 0
                    ;;
                --price)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__completions)
            opts="-v -q -h -V --dir --color --json --verbose --quiet --help --version bash elvish fish powershell zsh"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__demo)
            opts="-v -q -h -V --seconds --far-end --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --seconds)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --far-end)
                    COMPREPLY=($(compgen -W "ai echo" -- "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__devices)
            opts="-v -q -h -V --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help)
            opts="lint-sdp bridge demo sim listen replay serve devices completions man help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__bridge)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__completions)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__demo)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__devices)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__lint__subcmd__sdp)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__listen)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__man)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__replay)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__serve)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__sim)
            opts="offer openai"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__sim__subcmd__offer)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__help__subcmd__sim__subcmd__openai)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__lint__subcmd__sdp)
            opts="-v -q -h -V --offer --answer --direction --deny-warnings --explain --list-rules --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --offer)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --answer)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --direction)
                    COMPREPLY=($(compgen -W "user-initiated business-initiated" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__listen)
            opts="-v -q -h -V --listen --path --app-secret --insecure-skip-signature --verify-token --capture --max-body --auto-answer --busy --calls --offer --to --phone-number-id --duration --input-device --output-device --mute --token-file --graph-url --graph-version --accept-window --bind --stun --turn --turn-username --turn-credential --public-ip --udp-ports --gather-timeout --ice-check-interval --media-stack --connect-timeout --opus-complexity --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --app-secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --verify-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --capture)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-body)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --busy)
                    COMPREPLY=($(compgen -W "reject ignore" -- "${cur}"))
                    return 0
                    ;;
                --calls)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --offer)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --to)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --phone-number-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --duration)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --input-device)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --output-device)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-version)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --accept-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --bind)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --stun)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn-credential)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --public-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --udp-ports)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --gather-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ice-check-interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --media-stack)
                    COMPREPLY=($(compgen -W "rtc lean" -- "${cur}"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --opus-complexity)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__man)
            opts="-v -q -h -V --dir --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__replay)
            opts="-v -q -h -V --app-secret --accept-window --no-answer --target --self --to --speed --graph-listen --graph-token --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --app-secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --accept-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --target)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --to)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --speed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__serve)
            opts="-v -q -h -V --config --check-config --listen --path --app-secret --insecure-skip-signature --verify-token --capture --max-body --to --api-token-file --insecure-no-api-token --drain-timeout --max-calls --phone-number-id --record-dir --redis --instance-id --instance-ttl --token-file --graph-url --graph-version --accept-window --bind --stun --turn --turn-username --turn-credential --public-ip --udp-ports --gather-timeout --ice-check-interval --media-stack --connect-timeout --opus-complexity --model --voice --instructions --instructions-file --greeting --vad --transcription-model --openai-url --openai-transport --price --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --app-secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --verify-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --capture)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-body)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --to)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --api-token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drain-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-calls)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --phone-number-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --record-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --redis)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --instance-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --instance-ttl)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-version)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --accept-window)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --bind)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --stun)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --turn-credential)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --public-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --udp-ports)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --gather-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ice-check-interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --media-stack)
                    COMPREPLY=($(compgen -W "rtc lean" -- "${cur}"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --opus-complexity)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --model)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --voice)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --instructions)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --instructions-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --greeting)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --vad)
                    COMPREPLY=($(compgen -W "server semantic" -- "${cur}"))
                    return 0
                    ;;
                --transcription-model)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --openai-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --openai-transport)
                    COMPREPLY=($(compgen -W "websocket webrtc" -- "${cur}"))
                    return 0
                    ;;
                --price)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__sim)
            opts="-v -q -h -V --webhook-url --app-secret --verify-token --graph-listen --graph-token --phone-number-id --display-phone-number --waba-id --calls --concurrency --ramp --webhook-retries --business-initiated --wait-seconds --inject-graph-error --seconds --light --tone --send --silence --dtmf --record --media-ip --offer-template --no-media-timeout --silence-timeout --accept-timeout --no-wait-for-maiden --ring-seconds --media-stack --color --json --verbose --quiet --help --version offer openai help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --webhook-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --app-secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --verify-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --graph-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --phone-number-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --display-phone-number)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --waba-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --calls)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ramp)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --webhook-retries)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --wait-seconds)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inject-graph-error)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --seconds)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tone)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --send)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --dtmf)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --record)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --media-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --offer-template)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --no-media-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --silence-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --accept-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ring-seconds)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --media-stack)
                    COMPREPLY=($(compgen -W "rtc lean" -- "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__sim__subcmd__help)
            opts="offer openai help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__sim__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__sim__subcmd__help__subcmd__offer)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__sim__subcmd__help__subcmd__openai)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__sim__subcmd__offer)
            opts="-v -q -h -V --out --answer --answer-timeout --seconds --light --tone --send --silence --dtmf --record --media-ip --offer-template --no-media-timeout --silence-timeout --accept-timeout --no-wait-for-maiden --ring-seconds --media-stack --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --out)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --answer)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --answer-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --seconds)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tone)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --send)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --dtmf)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --record)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --media-ip)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --offer-template)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --no-media-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --silence-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --accept-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ring-seconds)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --media-stack)
                    COMPREPLY=($(compgen -W "rtc lean" -- "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        wacall__subcmd__sim__subcmd__openai)
            opts="-v -q -h -V --listen --accept-key --pace --garbage --drop-after --duration --color --json --verbose --quiet --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --accept-key)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --pace)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drop-after)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --duration)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --color)
                    COMPREPLY=($(compgen -W "auto always never" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _wacall -o nosort -o bashdefault -o default wacall
else
    complete -F _wacall -o bashdefault -o default wacall
fi
