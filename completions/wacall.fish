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
complete -c wacall -n "__fish_wacall_needs_command" -f -a "bridge" -d 'Answer a WhatsApp call from its offer and move its audio to a far end'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "demo" -d 'A whole call on loopback: wacall sim and wacall bridge in one process, no keys'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "sim" -d 'Play Meta\'s side of calls: WhatsApp\'s media peer, the Graph API and signed webhooks'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "listen" -d 'Take WhatsApp calls on this machine\'s speaker and microphone: webhooks in, calls answered'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "replay" -d 'Explain captured webhooks: each call\'s timeline, why it failed, what wacall would answer'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "serve" -d 'The bridge as a service: many calls at once, a control API, metrics, draining on SIGTERM'
complete -c wacall -n "__fish_wacall_needs_command" -f -a "devices" -d 'List the audio devices `--to speaker` and `wacall listen` can use'
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
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l offer -d 'WhatsApp\'s offer: raw SDP or a connect webhook body; `-` reads stdin' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l to -d 'The far end: echo, echo:opus (the Opus packets back, undecoded), tone[:HZ], play:FILE.wav, silence, speaker, openai' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l answer-out -d 'Write the answer here (atomically) instead of printing it' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l answer-format -d 'How to write the answer: raw SDP, or the Graph API accept body' -r -f -a "sdp\t'Raw SDP, CRLF line endings'
graph\t'A Graph API accept request body, ready for curl'"
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l call-id -d 'The call id (`wacid.…`); taken from a webhook given as --offer' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l phone-number-id -d 'The business number\'s phone number id; taken from a webhook given as --offer' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l token-file -d 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l graph-url -d 'The Graph API\'s base URL (point it at `wacall sim`)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l graph-version -d 'The Graph API version' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l accept-window -d 'How long pre_accept and accept may be retried (Meta\'s accept window)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l bind -d 'Gather host candidates on this address (repeatable; default all interfaces)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l stun -d 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l turn -d 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l turn-username -d 'Username for the TURN servers' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l turn-credential -d 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l public-ip -d 'The server\'s public address (1:1 NAT), advertised in place of the private one' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l udp-ports -d 'Bind the media port in this range, e.g. 10000-10100' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l gather-timeout -d 'Stop gathering candidates after this long, and send what was gathered' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l ice-check-interval -d 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l media-stack -d 'Media stack with one concrete --bind and no STUN/TURN: rtc (webrtc-rs\'s core) or lean (wacall\'s own ICE, DTLS and SRTP: less CPU per call)' -r -f -a "rtc\t''
lean\t''"
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l connect-timeout -d 'ICE and DTLS must connect within this' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l opus-complexity -d 'Opus encoder complexity, 0-10: lower costs less CPU per call (1 takes about half of 5\'s encoding time) for slightly coarser sound' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l duration -d 'End the call after this long (default: until it ends or Ctrl-C)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l record -d 'Record both directions (stereo WAV: caller left, far end right)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l input-device -d 'The microphone: a device id or name from `wacall devices` (default: the system\'s)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l output-device -d 'The speaker: a device id or name from `wacall devices` (default: the system\'s)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l model -d 'The Realtime model' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l voice -d 'The AI\'s voice' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l instructions -d 'System instructions for the AI' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l instructions-file -d 'Read the instructions from a file' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l greeting -d 'The AI speaks first with these words, once the call is accepted and media flows' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l vad -d 'Turn detection: silence-based (server) or model-based (semantic)' -r -f -a "server\t''
semantic\t''"
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l transcription-model -d 'Model that transcribes the caller; `none` for no caller transcript' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l openai-url -d 'The Realtime WebSocket endpoint (point it at `wacall sim openai`); the WebRTC transport posts to `/calls` beside it' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l openai-transport -d 'How audio reaches OpenAI: PCM events on a WebSocket (decoded and resampled), or Opus forwarded untouched on a WebRTC leg' -r -f -a "websocket\t''
webrtc\t''"
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l price -d 'Override a price for the cost estimate, in USD per million tokens: audio-in, audio-cached-in, audio-out, text-in, text-cached-in, text-out (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l graph -d 'Signal through the Graph API: pre_accept, accept, terminate'
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l force -d 'Send the answer even when lint finds errors in it'
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l mute -d 'Send silence instead of the microphone (the caller is still heard)'
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand bridge" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand demo" -l seconds -d 'How long the call lasts' -r
complete -c wacall -n "__fish_wacall_using_subcommand demo" -l far-end -d 'Who answers: the OpenAI stand-in (a local server speaking the Realtime API, which says back each turn), or a plain echo' -r -f -a "ai\t''
echo\t''"
complete -c wacall -n "__fish_wacall_using_subcommand demo" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand demo" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand demo" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand demo" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand demo" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l webhook-url -d 'Where to POST webhooks (the bridge\'s webhook endpoint); given more than once, deliveries go to each in turn, as a load balancer would spread them' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l app-secret -d 'App secret that signs webhooks (X-Hub-Signature-256)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l verify-token -d 'Run the GET verification handshake with this token first' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l graph-listen -d 'Address of the fake Graph API' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l graph-token -d 'Bearer token the fake Graph API accepts' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l phone-number-id -d 'The business number\'s phone number id' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l display-phone-number -d 'The business number as displayed' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l waba-id -d 'The WhatsApp Business Account id' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l calls -d 'Number of calls to place' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l concurrency -d 'Calls at once' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l ramp -d 'Spread the first C calls\' starts evenly over this many seconds (0: all at once)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l webhook-retries -d 'Delivery attempts per webhook (Meta retries at once, then with growing gaps)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l wait-seconds -d 'Business-initiated: seconds to wait for each `connect` request' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l inject-graph-error -d 'Make the next Graph requests of an action fail, e.g. accept:503x2' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l seconds -d 'Seconds the caller stays once media flows' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l tone -d 'The caller sends a tone of this frequency (default 440)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l send -d 'The caller sends this WAV file (48 kHz, 16-bit), looped' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l dtmf -d 'Keys the caller presses once media flows (RFC 4733), e.g. 123#' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l record -d 'Write what WhatsApp\'s side heard to DIR/call-N.wav' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l media-ip -d 'Address of WhatsApp\'s media candidate' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l offer-template -d 'Reuse the audio section of a captured offer (codecs, fmtp, ptime, SSRC attributes)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l no-media-timeout -d 'Seconds after accept without media before WhatsApp hangs up (138021)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l silence-timeout -d 'Seconds mid-call without RTP or RTCP before WhatsApp hangs up (138021)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l accept-timeout -d 'Seconds from the connect webhook to accept before the call is not answered' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l ring-seconds -d 'Business-initiated calls: seconds the user\'s phone rings before they pick up' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l media-stack -d 'WhatsApp\'s media stack when it offers: rtc (webrtc-rs\'s core) or lean (wacall\'s own ICE-lite, DTLS and SRTP: less CPU per caller)' -r -f -a "rtc\t''
lean\t''"
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l business-initiated -d 'Wait for the bridge to place N business-initiated calls (Graph `connect`) instead of calling it'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l light -d 'Encode the caller\'s audio once (one second of a tone, a --send file whole up to a minute) and loop it, so one machine can play many callers (load tests); what they hear is decoded for its first 2 s (level and frequency), then only counted (loss, jitter)'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l silence -d 'The caller sends silence'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l no-wait-for-maiden -d 'Send media right after accept instead of after the business\'s first packet'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -f -a "offer" -d 'Only the media peer: write WhatsApp\'s offer, read an answer, run the call'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -f -a "openai" -d 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and not __fish_seen_subcommand_from offer openai help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l out -d 'Where to write the offer (`-` for stdout)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l answer -d 'The answer: raw SDP or a Graph API request body; `-` reads stdin, a file is waited for' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l answer-timeout -d 'How long to wait for the answer' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l seconds -d 'Seconds the caller stays once media flows' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l tone -d 'The caller sends a tone of this frequency (default 440)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l send -d 'The caller sends this WAV file (48 kHz, 16-bit), looped' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l dtmf -d 'Keys the caller presses once media flows (RFC 4733), e.g. 123#' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l record -d 'Write what WhatsApp\'s side heard to DIR/call-N.wav' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l media-ip -d 'Address of WhatsApp\'s media candidate' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l offer-template -d 'Reuse the audio section of a captured offer (codecs, fmtp, ptime, SSRC attributes)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l no-media-timeout -d 'Seconds after accept without media before WhatsApp hangs up (138021)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l silence-timeout -d 'Seconds mid-call without RTP or RTCP before WhatsApp hangs up (138021)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l accept-timeout -d 'Seconds from the connect webhook to accept before the call is not answered' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l ring-seconds -d 'Business-initiated calls: seconds the user\'s phone rings before they pick up' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l media-stack -d 'WhatsApp\'s media stack when it offers: rtc (webrtc-rs\'s core) or lean (wacall\'s own ICE-lite, DTLS and SRTP: less CPU per caller)' -r -f -a "rtc\t''
lean\t''"
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l light -d 'Encode the caller\'s audio once (one second of a tone, a --send file whole up to a minute) and loop it, so one machine can play many callers (load tests); what they hear is decoded for its first 2 s (level and frequency), then only counted (loss, jitter)'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l silence -d 'The caller sends silence'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l no-wait-for-maiden -d 'Send media right after accept instead of after the business\'s first packet'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from offer" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l listen -d 'Where to listen' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l accept-key -d 'Accept only this bearer token (default: any non-empty one)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l pace -d 'How much faster than real time responses stream' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l drop-after -d 'Drop the first connection this long after it opens (tests reconnection)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l duration -d 'Stop after this long (default: until Ctrl-C)' -r
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l garbage -d 'Before each response, send a non-JSON frame, an unknown event and a malformed one'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from openai" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "offer" -d 'Only the media peer: write WhatsApp\'s offer, read an answer, run the call'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "openai" -d 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears'
complete -c wacall -n "__fish_wacall_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l listen -d 'Where the server listens' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l path -d 'The webhook path' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l app-secret -d 'The app secret that signs Meta\'s webhooks (X-Hub-Signature-256)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l verify-token -d 'Answer Meta\'s GET verification handshake for this token' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l capture -d 'Write every delivery (raw body, headers, time) into DIR, for `wacall replay`' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l max-body -d 'Largest webhook body taken, in bytes' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l busy -d 'What to do with a call that comes in during another' -r -f -a "reject\t'Send Graph `reject` for it'
ignore\t'Leave it ringing until WhatsApp gives up'"
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l calls -d 'Exit after this many calls' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l offer -d 'Answer this offer (raw SDP or a connect webhook) instead of listening for webhooks' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l to -d 'The far end: speaker (default), or echo, tone[:HZ], play:FILE.wav, silence' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l phone-number-id -d 'The business number\'s phone number id, when webhooks carry none' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l duration -d 'End each call after this long' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l input-device -d 'The microphone: a device id or name from `wacall devices` (default: the system\'s)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l output-device -d 'The speaker: a device id or name from `wacall devices` (default: the system\'s)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l token-file -d 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l graph-url -d 'The Graph API\'s base URL (point it at `wacall sim`)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l graph-version -d 'The Graph API version' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l accept-window -d 'How long pre_accept and accept may be retried (Meta\'s accept window)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l bind -d 'Gather host candidates on this address (repeatable; default all interfaces)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l stun -d 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l turn -d 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l turn-username -d 'Username for the TURN servers' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l turn-credential -d 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l public-ip -d 'The server\'s public address (1:1 NAT), advertised in place of the private one' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l udp-ports -d 'Bind the media port in this range, e.g. 10000-10100' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l gather-timeout -d 'Stop gathering candidates after this long, and send what was gathered' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l ice-check-interval -d 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l media-stack -d 'Media stack with one concrete --bind and no STUN/TURN: rtc (webrtc-rs\'s core) or lean (wacall\'s own ICE, DTLS and SRTP: less CPU per call)' -r -f -a "rtc\t''
lean\t''"
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l connect-timeout -d 'ICE and DTLS must connect within this' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l opus-complexity -d 'Opus encoder complexity, 0-10: lower costs less CPU per call (1 takes about half of 5\'s encoding time) for slightly coarser sound' -r
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l insecure-skip-signature -d 'Take webhooks without checking their signature (local tests only)'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l auto-answer -d 'Answer every call without asking'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l mute -d 'Send silence instead of the microphone (the caller is still heard)'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand listen" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l app-secret -d 'The app secret, to verify captured X-Hub-Signature-256 headers' -r
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l accept-window -d 'Meta\'s window for answering a call, in seconds' -r
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l target -d 'Play the captured calls again, as Meta, toward this webhook URL' -r
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l to -d 'The far end of --self: echo, tone[:HZ], play:FILE.wav, silence, speaker' -r
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l speed -d 'Speed of replay: gaps between calls and each call\'s length (2 = twice as fast)' -r
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l graph-listen -d 'Where the fake Graph API listens; your receiver\'s Graph base URL must point here' -r
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l graph-token -d 'The token the fake Graph API accepts' -r
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l no-answer -d 'Do not build answers (no sockets are opened at all)'
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l self -d 'Play them again toward wacall\'s own receiver and bridge (`serve`), in this process'
complete -c wacall -n "__fish_wacall_using_subcommand replay" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand replay" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand replay" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand replay" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l config -d 'Read settings from this TOML file, keys named as the long flags (`listen = "0.0.0.0:8080"`); the environment and flags win over it, and secrets are never read from it' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l listen -d 'Where the server listens' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l path -d 'The webhook path' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l app-secret -d 'The app secret that signs Meta\'s webhooks (X-Hub-Signature-256)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l verify-token -d 'Answer Meta\'s GET verification handshake for this token' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l capture -d 'Write every delivery (raw body, headers, time) into DIR, for `wacall replay`' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l max-body -d 'Largest webhook body taken, in bytes' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l to -d 'Each call\'s far end: openai, echo, echo:opus (undecoded, for load tests), tone[:HZ], play:FILE.wav, silence' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l api-token-file -d 'The control API\'s bearer token, from a file (default: the WACALL_API_TOKEN variable)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l drain-timeout -d 'After SIGTERM, how long active calls may go on before they are ended' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l max-calls -d 'Take at most N calls at once: more are rejected (Graph `reject`; 503 from POST /sessions/start) and GET /health says "full" (503) until one ends, so the calls in progress keep their audio on a full machine' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l phone-number-id -d 'The business number\'s phone number id, when webhooks carry none' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l record-dir -d 'Write each call\'s recording (`<call id>.wav`, stereo: caller left, far end right), report (`.json`) and transcript (`.txt`) into DIR' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l redis -d 'Redis for several instances behind one load balancer: call ownership, routing of terminates and control requests, dead instances noticed' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l instance-id -d 'This instance\'s name among the others (default: host name and process id)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l instance-ttl -d 'An instance that has not renewed its Redis key for this long is dead' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l token-file -d 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l graph-url -d 'The Graph API\'s base URL (point it at `wacall sim`)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l graph-version -d 'The Graph API version' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l accept-window -d 'How long pre_accept and accept may be retried (Meta\'s accept window)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l bind -d 'Gather host candidates on this address (repeatable; default all interfaces)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l stun -d 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l turn -d 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l turn-username -d 'Username for the TURN servers' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l turn-credential -d 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l public-ip -d 'The server\'s public address (1:1 NAT), advertised in place of the private one' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l udp-ports -d 'Bind the media port in this range, e.g. 10000-10100' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l gather-timeout -d 'Stop gathering candidates after this long, and send what was gathered' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l ice-check-interval -d 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l media-stack -d 'Media stack with one concrete --bind and no STUN/TURN: rtc (webrtc-rs\'s core) or lean (wacall\'s own ICE, DTLS and SRTP: less CPU per call)' -r -f -a "rtc\t''
lean\t''"
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l connect-timeout -d 'ICE and DTLS must connect within this' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l opus-complexity -d 'Opus encoder complexity, 0-10: lower costs less CPU per call (1 takes about half of 5\'s encoding time) for slightly coarser sound' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l model -d 'The Realtime model' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l voice -d 'The AI\'s voice' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l instructions -d 'System instructions for the AI' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l instructions-file -d 'Read the instructions from a file' -r -F
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l greeting -d 'The AI speaks first with these words, once the call is accepted and media flows' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l vad -d 'Turn detection: silence-based (server) or model-based (semantic)' -r -f -a "server\t''
semantic\t''"
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l transcription-model -d 'Model that transcribes the caller; `none` for no caller transcript' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l openai-url -d 'The Realtime WebSocket endpoint (point it at `wacall sim openai`); the WebRTC transport posts to `/calls` beside it' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l openai-transport -d 'How audio reaches OpenAI: PCM events on a WebSocket (decoded and resampled), or Opus forwarded untouched on a WebRTC leg' -r -f -a "websocket\t''
webrtc\t''"
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l price -d 'Override a price for the cost estimate, in USD per million tokens: audio-in, audio-cached-in, audio-out, text-in, text-cached-in, text-out (repeatable)' -r
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l check-config -d 'Check the configuration (file, environment and flags), print the settings in force and exit: 0 when valid, 2 when not'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l insecure-skip-signature -d 'Take webhooks without checking their signature (local tests only)'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l insecure-no-api-token -d 'Serve /sessions without a token (local tests only)'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand serve" -s V -l version -d 'Print version'
complete -c wacall -n "__fish_wacall_using_subcommand devices" -l color -d 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wacall -n "__fish_wacall_using_subcommand devices" -l json -d 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
complete -c wacall -n "__fish_wacall_using_subcommand devices" -s v -l verbose -d 'Log more to stderr: -v for steps, -vv for protocol detail'
complete -c wacall -n "__fish_wacall_using_subcommand devices" -s q -l quiet -d 'Print nothing on stdout; the exit status tells the result'
complete -c wacall -n "__fish_wacall_using_subcommand devices" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wacall -n "__fish_wacall_using_subcommand devices" -s V -l version -d 'Print version'
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
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "lint-sdp" -d 'Check an SDP offer and answer against WhatsApp\'s rules'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "bridge" -d 'Answer a WhatsApp call from its offer and move its audio to a far end'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "demo" -d 'A whole call on loopback: wacall sim and wacall bridge in one process, no keys'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "sim" -d 'Play Meta\'s side of calls: WhatsApp\'s media peer, the Graph API and signed webhooks'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "listen" -d 'Take WhatsApp calls on this machine\'s speaker and microphone: webhooks in, calls answered'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "replay" -d 'Explain captured webhooks: each call\'s timeline, why it failed, what wacall would answer'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "serve" -d 'The bridge as a service: many calls at once, a control API, metrics, draining on SIGTERM'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "devices" -d 'List the audio devices `--to speaker` and `wacall listen` can use'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "completions" -d 'Print or write shell completions'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "man" -d 'Write the man pages'
complete -c wacall -n "__fish_wacall_using_subcommand help; and not __fish_seen_subcommand_from lint-sdp bridge demo sim listen replay serve devices completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wacall -n "__fish_wacall_using_subcommand help; and __fish_seen_subcommand_from sim" -f -a "offer" -d 'Only the media peer: write WhatsApp\'s offer, read an answer, run the call'
complete -c wacall -n "__fish_wacall_using_subcommand help; and __fish_seen_subcommand_from sim" -f -a "openai" -d 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears'
