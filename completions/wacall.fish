# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wacall_global_optspecs
    string join \n color= json v/verbose q/quiet h/help V/version
end

function __fish_wacall_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wacall_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wacall_using_subcommand
    set -l cmd (__fish_wacall_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wacall -n "__fish_wacall_needs_command" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_needs_command" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_needs_command" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_needs_command" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_needs_command" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "lint-sdp" -d 'Check an SDP offer and answer against WhatsApp\'s rules'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "completions" -d 'Print or write shell completions'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "man" -d 'Write the man pages'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l offer -d 'The offer, by flag' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l answer -d 'The answer, by flag' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l direction -d 'Who placed the call; by default taken from the inputs, else user-initiated' -r -f -a "user-initiated\t'The user calls the business: WhatsApp offers'
business-initiated\t'The business calls the user: WhatsApp answers'"
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l explain -d 'Print a rule\'s documentation (by code, e.g. WA003, or name)' -r
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l deny-warnings -d 'Exit 1 on warnings too'
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l list-rules -d 'List every rule'
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand lint-sdp" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand completions" -l dir -d 'Write the file into this directory instead of printing it' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand completions" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand completions" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand completions" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand completions" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand completions" -s h -l help -d 'Print help'
complete -c wacall -n "__fish_wacall_using_subcommand completions" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand man" -l dir -d 'Write wacall.1 and one page per subcommand into this directory' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand man" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand man" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand man" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand man" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand man" -s h -l help -d 'Print help'
complete -c wacall -n "__fish_wacall_using_subcommand man" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp completions man help" -f -a "lint-sdp" -d 'Check an SDP offer and answer against WhatsApp\'s rules'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp completions man help" -f -a "completions" -d 'Print or write shell completions'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp completions man help" -f -a "man" -d 'Write the man pages'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
