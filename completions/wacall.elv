
use builtin;
use str;

set edit:completion:arg-completer[wacall] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'wacall'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'wacall'= {
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand lint-sdp 'Check an SDP offer and answer against WhatsApp''s rules'
            cand bridge 'Answer a WhatsApp call from its offer and move its audio to a far end'
            cand demo 'A whole call on loopback: wacall sim and wacall bridge in one process, no keys'
            cand sim 'Play Meta''s side of calls: WhatsApp''s media peer, the Graph API and signed webhooks'
            cand listen 'Take WhatsApp calls on this machine''s speaker and microphone: webhooks in, calls answered'
            cand replay 'Explain captured webhooks: each call''s timeline, why it failed, what wacall would answer'
            cand serve 'The bridge as a service: many calls at once, a control API, metrics, draining on SIGTERM'
            cand devices 'List the audio devices `--to speaker` and `wacall listen` can use'
            cand completions 'Print or write shell completions'
            cand man 'Write the man pages'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wacall;lint-sdp'= {
            cand --offer 'The offer, by flag'
            cand --answer 'The answer, by flag'
            cand --direction 'Who placed the call; by default taken from the inputs, else user-initiated'
            cand --explain 'Print a rule''s documentation (by code, e.g. WA003, or name)'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --deny-warnings 'Exit 1 on warnings too'
            cand --list-rules 'List every rule'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;bridge'= {
            cand --offer 'WhatsApp''s offer: raw SDP or a connect webhook body; `-` reads stdin'
            cand --to 'The far end: echo, tone[:HZ], play:FILE.wav, silence, speaker, openai'
            cand --answer-out 'Write the answer here (atomically) instead of printing it'
            cand --answer-format 'How to write the answer: raw SDP, or the Graph API accept body'
            cand --call-id 'The call id (`wacid.…`); taken from a webhook given as --offer'
            cand --phone-number-id 'The business number''s phone number id; taken from a webhook given as --offer'
            cand --token-file 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)'
            cand --graph-url 'The Graph API''s base URL (point it at `wacall sim`)'
            cand --graph-version 'The Graph API version'
            cand --accept-window 'How long pre_accept and accept may be retried (Meta''s accept window)'
            cand --bind 'Gather host candidates on this address (repeatable; default all interfaces)'
            cand --stun 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)'
            cand --turn 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)'
            cand --turn-username 'Username for the TURN servers'
            cand --turn-credential 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)'
            cand --public-ip 'The server''s public address (1:1 NAT), advertised in place of the private one'
            cand --udp-ports 'Bind the media port in this range, e.g. 10000-10100'
            cand --gather-timeout 'Stop gathering candidates after this long, and send what was gathered'
            cand --ice-check-interval 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks'
            cand --connect-timeout 'ICE and DTLS must connect within this'
            cand --duration 'End the call after this long (default: until it ends or Ctrl-C)'
            cand --record 'Record both directions (stereo WAV: caller left, far end right)'
            cand --input-device 'The microphone: a device id or name from `wacall devices` (default: the system''s)'
            cand --output-device 'The speaker: a device id or name from `wacall devices` (default: the system''s)'
            cand --model 'The Realtime model'
            cand --voice 'The AI''s voice'
            cand --instructions 'System instructions for the AI'
            cand --instructions-file 'Read the instructions from a file'
            cand --greeting 'The AI speaks first with these words, once the call is accepted and media flows'
            cand --vad 'Turn detection: silence-based (server) or model-based (semantic)'
            cand --transcription-model 'Model that transcribes the caller; `none` for no caller transcript'
            cand --openai-url 'The Realtime WebSocket endpoint (point it at `wacall sim openai`)'
            cand --price 'Override a price for the cost estimate, in USD per million tokens: audio-in, audio-cached-in, audio-out, text-in, text-cached-in, text-out (repeatable)'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --graph 'Signal through the Graph API: pre_accept, accept, terminate'
            cand --force 'Send the answer even when lint finds errors in it'
            cand --mute 'Send silence instead of the microphone (the caller is still heard)'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;demo'= {
            cand --seconds 'How long the call lasts'
            cand --far-end 'Who answers: the OpenAI stand-in (a local server speaking the Realtime API, which says back each turn), or a plain echo'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;sim'= {
            cand --webhook-url 'Where to POST webhooks (the bridge''s webhook endpoint)'
            cand --app-secret 'App secret that signs webhooks (X-Hub-Signature-256)'
            cand --verify-token 'Run the GET verification handshake with this token first'
            cand --graph-listen 'Address of the fake Graph API'
            cand --graph-token 'Bearer token the fake Graph API accepts'
            cand --phone-number-id 'The business number''s phone number id'
            cand --display-phone-number 'The business number as displayed'
            cand --waba-id 'The WhatsApp Business Account id'
            cand --calls 'Number of calls to place'
            cand --concurrency 'Calls at once'
            cand --webhook-retries 'Delivery attempts per webhook (Meta retries at once, then with growing gaps)'
            cand --wait-seconds 'Business-initiated: seconds to wait for each `connect` request'
            cand --inject-graph-error 'Make the next Graph requests of an action fail, e.g. accept:503x2'
            cand --seconds 'Seconds the caller stays once media flows'
            cand --tone 'The caller sends a tone of this frequency (default 440)'
            cand --send 'The caller sends this WAV file (48 kHz, 16-bit), looped'
            cand --dtmf 'Keys the caller presses once media flows (RFC 4733), e.g. 123#'
            cand --record 'Write what WhatsApp''s side heard to DIR/call-N.wav'
            cand --media-ip 'Address of WhatsApp''s media candidate'
            cand --offer-template 'Reuse the audio section of a captured offer (codecs, fmtp, ptime, SSRC attributes)'
            cand --no-media-timeout 'Seconds after accept without media before WhatsApp hangs up (138021)'
            cand --silence-timeout 'Seconds mid-call without RTP or RTCP before WhatsApp hangs up (138021)'
            cand --accept-timeout 'Seconds from the connect webhook to accept before the call is not answered'
            cand --ring-seconds 'Business-initiated calls: seconds the user''s phone rings before they pick up'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --business-initiated 'Wait for the bridge to place N business-initiated calls (Graph `connect`) instead of calling it'
            cand --silence 'The caller sends silence'
            cand --no-wait-for-maiden 'Send media right after accept instead of after the business''s first packet'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand offer 'Only the media peer: write WhatsApp''s offer, read an answer, run the call'
            cand openai 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wacall;sim;offer'= {
            cand --out 'Where to write the offer (`-` for stdout)'
            cand --answer 'The answer: raw SDP or a Graph API request body; `-` reads stdin, a file is waited for'
            cand --answer-timeout 'How long to wait for the answer'
            cand --seconds 'Seconds the caller stays once media flows'
            cand --tone 'The caller sends a tone of this frequency (default 440)'
            cand --send 'The caller sends this WAV file (48 kHz, 16-bit), looped'
            cand --dtmf 'Keys the caller presses once media flows (RFC 4733), e.g. 123#'
            cand --record 'Write what WhatsApp''s side heard to DIR/call-N.wav'
            cand --media-ip 'Address of WhatsApp''s media candidate'
            cand --offer-template 'Reuse the audio section of a captured offer (codecs, fmtp, ptime, SSRC attributes)'
            cand --no-media-timeout 'Seconds after accept without media before WhatsApp hangs up (138021)'
            cand --silence-timeout 'Seconds mid-call without RTP or RTCP before WhatsApp hangs up (138021)'
            cand --accept-timeout 'Seconds from the connect webhook to accept before the call is not answered'
            cand --ring-seconds 'Business-initiated calls: seconds the user''s phone rings before they pick up'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --silence 'The caller sends silence'
            cand --no-wait-for-maiden 'Send media right after accept instead of after the business''s first packet'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;sim;openai'= {
            cand --listen 'Where to listen'
            cand --accept-key 'Accept only this bearer token (default: any non-empty one)'
            cand --pace 'How much faster than real time responses stream'
            cand --drop-after 'Drop the first connection this long after it opens (tests reconnection)'
            cand --duration 'Stop after this long (default: until Ctrl-C)'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --garbage 'Before each response, send a non-JSON frame, an unknown event and a malformed one'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;sim;help'= {
            cand offer 'Only the media peer: write WhatsApp''s offer, read an answer, run the call'
            cand openai 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wacall;sim;help;offer'= {
        }
        &'wacall;sim;help;openai'= {
        }
        &'wacall;sim;help;help'= {
        }
        &'wacall;listen'= {
            cand --listen 'Where the server listens'
            cand --path 'The webhook path'
            cand --app-secret 'The app secret that signs Meta''s webhooks (X-Hub-Signature-256)'
            cand --verify-token 'Answer Meta''s GET verification handshake for this token'
            cand --capture 'Write every delivery (raw body, headers, time) into DIR, for `wacall replay`'
            cand --max-body 'Largest webhook body taken, in bytes'
            cand --busy 'What to do with a call that comes in during another'
            cand --calls 'Exit after this many calls'
            cand --offer 'Answer this offer (raw SDP or a connect webhook) instead of listening for webhooks'
            cand --to 'The far end: speaker (default), or echo, tone[:HZ], play:FILE.wav, silence'
            cand --phone-number-id 'The business number''s phone number id, when webhooks carry none'
            cand --duration 'End each call after this long'
            cand --input-device 'The microphone: a device id or name from `wacall devices` (default: the system''s)'
            cand --output-device 'The speaker: a device id or name from `wacall devices` (default: the system''s)'
            cand --token-file 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)'
            cand --graph-url 'The Graph API''s base URL (point it at `wacall sim`)'
            cand --graph-version 'The Graph API version'
            cand --accept-window 'How long pre_accept and accept may be retried (Meta''s accept window)'
            cand --bind 'Gather host candidates on this address (repeatable; default all interfaces)'
            cand --stun 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)'
            cand --turn 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)'
            cand --turn-username 'Username for the TURN servers'
            cand --turn-credential 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)'
            cand --public-ip 'The server''s public address (1:1 NAT), advertised in place of the private one'
            cand --udp-ports 'Bind the media port in this range, e.g. 10000-10100'
            cand --gather-timeout 'Stop gathering candidates after this long, and send what was gathered'
            cand --ice-check-interval 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks'
            cand --connect-timeout 'ICE and DTLS must connect within this'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --insecure-skip-signature 'Take webhooks without checking their signature (local tests only)'
            cand --auto-answer 'Answer every call without asking'
            cand --mute 'Send silence instead of the microphone (the caller is still heard)'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;replay'= {
            cand --app-secret 'The app secret, to verify captured X-Hub-Signature-256 headers'
            cand --accept-window 'Meta''s window for answering a call, in seconds'
            cand --target 'Play the captured calls again, as Meta, toward this webhook URL'
            cand --to 'The far end of --self: echo, tone[:HZ], play:FILE.wav, silence, speaker'
            cand --speed 'Speed of replay: gaps between calls and each call''s length (2 = twice as fast)'
            cand --graph-listen 'Where the fake Graph API listens; your receiver''s Graph base URL must point here'
            cand --graph-token 'The token the fake Graph API accepts'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --no-answer 'Do not build answers (no sockets are opened at all)'
            cand --self 'Play them again toward wacall''s own receiver and bridge (`serve`), in this process'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;serve'= {
            cand --listen 'Where the server listens'
            cand --path 'The webhook path'
            cand --app-secret 'The app secret that signs Meta''s webhooks (X-Hub-Signature-256)'
            cand --verify-token 'Answer Meta''s GET verification handshake for this token'
            cand --capture 'Write every delivery (raw body, headers, time) into DIR, for `wacall replay`'
            cand --max-body 'Largest webhook body taken, in bytes'
            cand --to 'Each call''s far end: openai, echo, tone[:HZ], play:FILE.wav, silence'
            cand --api-token-file 'The control API''s bearer token, from a file (default: the WACALL_API_TOKEN variable)'
            cand --drain-timeout 'After SIGTERM, how long active calls may go on before they are ended'
            cand --phone-number-id 'The business number''s phone number id, when webhooks carry none'
            cand --token-file 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)'
            cand --graph-url 'The Graph API''s base URL (point it at `wacall sim`)'
            cand --graph-version 'The Graph API version'
            cand --accept-window 'How long pre_accept and accept may be retried (Meta''s accept window)'
            cand --bind 'Gather host candidates on this address (repeatable; default all interfaces)'
            cand --stun 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)'
            cand --turn 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)'
            cand --turn-username 'Username for the TURN servers'
            cand --turn-credential 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)'
            cand --public-ip 'The server''s public address (1:1 NAT), advertised in place of the private one'
            cand --udp-ports 'Bind the media port in this range, e.g. 10000-10100'
            cand --gather-timeout 'Stop gathering candidates after this long, and send what was gathered'
            cand --ice-check-interval 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks'
            cand --connect-timeout 'ICE and DTLS must connect within this'
            cand --model 'The Realtime model'
            cand --voice 'The AI''s voice'
            cand --instructions 'System instructions for the AI'
            cand --instructions-file 'Read the instructions from a file'
            cand --greeting 'The AI speaks first with these words, once the call is accepted and media flows'
            cand --vad 'Turn detection: silence-based (server) or model-based (semantic)'
            cand --transcription-model 'Model that transcribes the caller; `none` for no caller transcript'
            cand --openai-url 'The Realtime WebSocket endpoint (point it at `wacall sim openai`)'
            cand --price 'Override a price for the cost estimate, in USD per million tokens: audio-in, audio-cached-in, audio-out, text-in, text-cached-in, text-out (repeatable)'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --insecure-skip-signature 'Take webhooks without checking their signature (local tests only)'
            cand --insecure-no-api-token 'Serve /sessions without a token (local tests only)'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;devices'= {
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;completions'= {
            cand --dir 'Write the file into this directory instead of printing it'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;man'= {
            cand --dir 'Write wacall.1 and one page per subcommand into this directory'
            cand --color 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb'
            cand --json 'Machine-readable output: one JSON document, or JSON Lines for commands that stream'
            cand -v 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand --verbose 'Log more to stderr: -v for steps, -vv for protocol detail'
            cand -q 'Print nothing on stdout; the exit status tells the result'
            cand --quiet 'Print nothing on stdout; the exit status tells the result'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wacall;help'= {
            cand lint-sdp 'Check an SDP offer and answer against WhatsApp''s rules'
            cand bridge 'Answer a WhatsApp call from its offer and move its audio to a far end'
            cand demo 'A whole call on loopback: wacall sim and wacall bridge in one process, no keys'
            cand sim 'Play Meta''s side of calls: WhatsApp''s media peer, the Graph API and signed webhooks'
            cand listen 'Take WhatsApp calls on this machine''s speaker and microphone: webhooks in, calls answered'
            cand replay 'Explain captured webhooks: each call''s timeline, why it failed, what wacall would answer'
            cand serve 'The bridge as a service: many calls at once, a control API, metrics, draining on SIGTERM'
            cand devices 'List the audio devices `--to speaker` and `wacall listen` can use'
            cand completions 'Print or write shell completions'
            cand man 'Write the man pages'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wacall;help;lint-sdp'= {
        }
        &'wacall;help;bridge'= {
        }
        &'wacall;help;demo'= {
        }
        &'wacall;help;sim'= {
            cand offer 'Only the media peer: write WhatsApp''s offer, read an answer, run the call'
            cand openai 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears'
        }
        &'wacall;help;sim;offer'= {
        }
        &'wacall;help;sim;openai'= {
        }
        &'wacall;help;listen'= {
        }
        &'wacall;help;replay'= {
        }
        &'wacall;help;serve'= {
        }
        &'wacall;help;devices'= {
        }
        &'wacall;help;completions'= {
        }
        &'wacall;help;man'= {
        }
        &'wacall;help;help'= {
        }
    ]
    $completions[$command]
}
