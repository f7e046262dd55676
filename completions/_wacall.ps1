
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wacall' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wacall'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wacall' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('lint-sdp', 'lint-sdp', [CompletionResultType]::ParameterValue, 'Check an SDP offer and answer against WhatsApp''s rules')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'Answer a WhatsApp call from its offer and move its audio to a far end')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A whole call on loopback: wacall sim and wacall bridge in one process, no keys')
            [CompletionResult]::new('sim', 'sim', [CompletionResultType]::ParameterValue, 'Play Meta''s side of calls: WhatsApp''s media peer, the Graph API and signed webhooks')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Take WhatsApp calls on this machine''s speaker and microphone: webhooks in, calls answered')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Explain captured webhooks: each call''s timeline, why it failed, what wacall would answer')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'The bridge as a service: many calls at once, a control API, metrics, draining on SIGTERM')
            [CompletionResult]::new('devices', 'devices', [CompletionResultType]::ParameterValue, 'List the audio devices `--to speaker` and `wacall listen` can use')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print or write shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wacall;lint-sdp' {
            [CompletionResult]::new('--offer', '--offer', [CompletionResultType]::ParameterName, 'The offer, by flag')
            [CompletionResult]::new('--answer', '--answer', [CompletionResultType]::ParameterName, 'The answer, by flag')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Who placed the call; by default taken from the inputs, else user-initiated')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Print a rule''s documentation (by code, e.g. WA003, or name)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--deny-warnings', '--deny-warnings', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('--list-rules', '--list-rules', [CompletionResultType]::ParameterName, 'List every rule')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;bridge' {
            [CompletionResult]::new('--offer', '--offer', [CompletionResultType]::ParameterName, 'WhatsApp''s offer: raw SDP or a connect webhook body; `-` reads stdin')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The far end: echo, echo:opus (the Opus packets back, undecoded), tone[:HZ], play:FILE.wav, silence, speaker, openai')
            [CompletionResult]::new('--answer-out', '--answer-out', [CompletionResultType]::ParameterName, 'Write the answer here (atomically) instead of printing it')
            [CompletionResult]::new('--answer-format', '--answer-format', [CompletionResultType]::ParameterName, 'How to write the answer: raw SDP, or the Graph API accept body')
            [CompletionResult]::new('--call-id', '--call-id', [CompletionResultType]::ParameterName, 'The call id (`wacid.…`); taken from a webhook given as --offer')
            [CompletionResult]::new('--phone-number-id', '--phone-number-id', [CompletionResultType]::ParameterName, 'The business number''s phone number id; taken from a webhook given as --offer')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'The Graph API''s base URL (point it at `wacall sim`)')
            [CompletionResult]::new('--graph-version', '--graph-version', [CompletionResultType]::ParameterName, 'The Graph API version')
            [CompletionResult]::new('--accept-window', '--accept-window', [CompletionResultType]::ParameterName, 'How long pre_accept and accept may be retried (Meta''s accept window)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Gather host candidates on this address (repeatable; default all interfaces)')
            [CompletionResult]::new('--stun', '--stun', [CompletionResultType]::ParameterName, 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)')
            [CompletionResult]::new('--turn', '--turn', [CompletionResultType]::ParameterName, 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)')
            [CompletionResult]::new('--turn-username', '--turn-username', [CompletionResultType]::ParameterName, 'Username for the TURN servers')
            [CompletionResult]::new('--turn-credential', '--turn-credential', [CompletionResultType]::ParameterName, 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)')
            [CompletionResult]::new('--public-ip', '--public-ip', [CompletionResultType]::ParameterName, 'The server''s public address (1:1 NAT), advertised in place of the private one')
            [CompletionResult]::new('--udp-ports', '--udp-ports', [CompletionResultType]::ParameterName, 'Bind the media port in this range, e.g. 10000-10100')
            [CompletionResult]::new('--gather-timeout', '--gather-timeout', [CompletionResultType]::ParameterName, 'Stop gathering candidates after this long, and send what was gathered')
            [CompletionResult]::new('--ice-check-interval', '--ice-check-interval', [CompletionResultType]::ParameterName, 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks')
            [CompletionResult]::new('--media-stack', '--media-stack', [CompletionResultType]::ParameterName, 'Media stack with one concrete --bind and no STUN/TURN: rtc (webrtc-rs''s core) or lean (wacall''s own ICE, DTLS and SRTP: less CPU per call)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'ICE and DTLS must connect within this')
            [CompletionResult]::new('--opus-complexity', '--opus-complexity', [CompletionResultType]::ParameterName, 'Opus encoder complexity, 0-10: lower costs less CPU per call (1 takes about half of 5''s encoding time) for slightly coarser sound')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'End the call after this long (default: until it ends or Ctrl-C)')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Record both directions (stereo WAV: caller left, far end right)')
            [CompletionResult]::new('--input-device', '--input-device', [CompletionResultType]::ParameterName, 'The microphone: a device id or name from `wacall devices` (default: the system''s)')
            [CompletionResult]::new('--output-device', '--output-device', [CompletionResultType]::ParameterName, 'The speaker: a device id or name from `wacall devices` (default: the system''s)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The Realtime model')
            [CompletionResult]::new('--voice', '--voice', [CompletionResultType]::ParameterName, 'The AI''s voice')
            [CompletionResult]::new('--instructions', '--instructions', [CompletionResultType]::ParameterName, 'System instructions for the AI')
            [CompletionResult]::new('--instructions-file', '--instructions-file', [CompletionResultType]::ParameterName, 'Read the instructions from a file')
            [CompletionResult]::new('--greeting', '--greeting', [CompletionResultType]::ParameterName, 'The AI speaks first with these words, once the call is accepted and media flows')
            [CompletionResult]::new('--vad', '--vad', [CompletionResultType]::ParameterName, 'Turn detection: silence-based (server) or model-based (semantic)')
            [CompletionResult]::new('--transcription-model', '--transcription-model', [CompletionResultType]::ParameterName, 'Model that transcribes the caller; `none` for no caller transcript')
            [CompletionResult]::new('--openai-url', '--openai-url', [CompletionResultType]::ParameterName, 'The Realtime WebSocket endpoint (point it at `wacall sim openai`); the WebRTC transport posts to `/calls` beside it')
            [CompletionResult]::new('--openai-transport', '--openai-transport', [CompletionResultType]::ParameterName, 'How audio reaches OpenAI: PCM events on a WebSocket (decoded and resampled), or Opus forwarded untouched on a WebRTC leg')
            [CompletionResult]::new('--price', '--price', [CompletionResultType]::ParameterName, 'Override a price for the cost estimate, in USD per million tokens: audio-in, audio-cached-in, audio-out, text-in, text-cached-in, text-out (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--graph', '--graph', [CompletionResultType]::ParameterName, 'Signal through the Graph API: pre_accept, accept, terminate')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Send the answer even when lint finds errors in it')
            [CompletionResult]::new('--mute', '--mute', [CompletionResultType]::ParameterName, 'Send silence instead of the microphone (the caller is still heard)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;demo' {
            [CompletionResult]::new('--seconds', '--seconds', [CompletionResultType]::ParameterName, 'How long the call lasts')
            [CompletionResult]::new('--far-end', '--far-end', [CompletionResultType]::ParameterName, 'Who answers: the OpenAI stand-in (a local server speaking the Realtime API, which says back each turn), or a plain echo')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;sim' {
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Where to POST webhooks (the bridge''s webhook endpoint); given more than once, deliveries go to each in turn, as a load balancer would spread them')
            [CompletionResult]::new('--app-secret', '--app-secret', [CompletionResultType]::ParameterName, 'App secret that signs webhooks (X-Hub-Signature-256)')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'Run the GET verification handshake with this token first')
            [CompletionResult]::new('--graph-listen', '--graph-listen', [CompletionResultType]::ParameterName, 'Address of the fake Graph API')
            [CompletionResult]::new('--graph-token', '--graph-token', [CompletionResultType]::ParameterName, 'Bearer token the fake Graph API accepts')
            [CompletionResult]::new('--phone-number-id', '--phone-number-id', [CompletionResultType]::ParameterName, 'The business number''s phone number id')
            [CompletionResult]::new('--display-phone-number', '--display-phone-number', [CompletionResultType]::ParameterName, 'The business number as displayed')
            [CompletionResult]::new('--waba-id', '--waba-id', [CompletionResultType]::ParameterName, 'The WhatsApp Business Account id')
            [CompletionResult]::new('--calls', '--calls', [CompletionResultType]::ParameterName, 'Number of calls to place')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Calls at once')
            [CompletionResult]::new('--ramp', '--ramp', [CompletionResultType]::ParameterName, 'Spread the first C calls'' starts evenly over this many seconds (0: all at once)')
            [CompletionResult]::new('--webhook-retries', '--webhook-retries', [CompletionResultType]::ParameterName, 'Delivery attempts per webhook (Meta retries at once, then with growing gaps)')
            [CompletionResult]::new('--wait-seconds', '--wait-seconds', [CompletionResultType]::ParameterName, 'Business-initiated: seconds to wait for each `connect` request')
            [CompletionResult]::new('--inject-graph-error', '--inject-graph-error', [CompletionResultType]::ParameterName, 'Make the next Graph requests of an action fail, e.g. accept:503x2')
            [CompletionResult]::new('--seconds', '--seconds', [CompletionResultType]::ParameterName, 'Seconds the caller stays once media flows')
            [CompletionResult]::new('--tone', '--tone', [CompletionResultType]::ParameterName, 'The caller sends a tone of this frequency (default 440)')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'The caller sends this WAV file (48 kHz, 16-bit), looped')
            [CompletionResult]::new('--dtmf', '--dtmf', [CompletionResultType]::ParameterName, 'Keys the caller presses once media flows (RFC 4733), e.g. 123#')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Write what WhatsApp''s side heard to DIR/call-N.wav')
            [CompletionResult]::new('--media-ip', '--media-ip', [CompletionResultType]::ParameterName, 'Address of WhatsApp''s media candidate')
            [CompletionResult]::new('--offer-template', '--offer-template', [CompletionResultType]::ParameterName, 'Reuse the audio section of a captured offer (codecs, fmtp, ptime, SSRC attributes)')
            [CompletionResult]::new('--no-media-timeout', '--no-media-timeout', [CompletionResultType]::ParameterName, 'Seconds after accept without media before WhatsApp hangs up (138021)')
            [CompletionResult]::new('--silence-timeout', '--silence-timeout', [CompletionResultType]::ParameterName, 'Seconds mid-call without RTP or RTCP before WhatsApp hangs up (138021)')
            [CompletionResult]::new('--accept-timeout', '--accept-timeout', [CompletionResultType]::ParameterName, 'Seconds from the connect webhook to accept before the call is not answered')
            [CompletionResult]::new('--ring-seconds', '--ring-seconds', [CompletionResultType]::ParameterName, 'Business-initiated calls: seconds the user''s phone rings before they pick up')
            [CompletionResult]::new('--media-stack', '--media-stack', [CompletionResultType]::ParameterName, 'WhatsApp''s media stack when it offers: rtc (webrtc-rs''s core) or lean (wacall''s own ICE-lite, DTLS and SRTP: less CPU per caller)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--business-initiated', '--business-initiated', [CompletionResultType]::ParameterName, 'Wait for the bridge to place N business-initiated calls (Graph `connect`) instead of calling it')
            [CompletionResult]::new('--light', '--light', [CompletionResultType]::ParameterName, 'Encode the caller''s audio once (one second of a tone, a --send file whole up to a minute) and loop it, so one machine can play many callers (load tests); what they hear is decoded for its first 2 s (level and frequency), then only counted (loss, jitter)')
            [CompletionResult]::new('--silence', '--silence', [CompletionResultType]::ParameterName, 'The caller sends silence')
            [CompletionResult]::new('--no-wait-for-maiden', '--no-wait-for-maiden', [CompletionResultType]::ParameterName, 'Send media right after accept instead of after the business''s first packet')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('offer', 'offer', [CompletionResultType]::ParameterValue, 'Only the media peer: write WhatsApp''s offer, read an answer, run the call')
            [CompletionResult]::new('openai', 'openai', [CompletionResultType]::ParameterValue, 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wacall;sim;offer' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the offer (`-` for stdout)')
            [CompletionResult]::new('--answer', '--answer', [CompletionResultType]::ParameterName, 'The answer: raw SDP or a Graph API request body; `-` reads stdin, a file is waited for')
            [CompletionResult]::new('--answer-timeout', '--answer-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the answer')
            [CompletionResult]::new('--seconds', '--seconds', [CompletionResultType]::ParameterName, 'Seconds the caller stays once media flows')
            [CompletionResult]::new('--tone', '--tone', [CompletionResultType]::ParameterName, 'The caller sends a tone of this frequency (default 440)')
            [CompletionResult]::new('--send', '--send', [CompletionResultType]::ParameterName, 'The caller sends this WAV file (48 kHz, 16-bit), looped')
            [CompletionResult]::new('--dtmf', '--dtmf', [CompletionResultType]::ParameterName, 'Keys the caller presses once media flows (RFC 4733), e.g. 123#')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Write what WhatsApp''s side heard to DIR/call-N.wav')
            [CompletionResult]::new('--media-ip', '--media-ip', [CompletionResultType]::ParameterName, 'Address of WhatsApp''s media candidate')
            [CompletionResult]::new('--offer-template', '--offer-template', [CompletionResultType]::ParameterName, 'Reuse the audio section of a captured offer (codecs, fmtp, ptime, SSRC attributes)')
            [CompletionResult]::new('--no-media-timeout', '--no-media-timeout', [CompletionResultType]::ParameterName, 'Seconds after accept without media before WhatsApp hangs up (138021)')
            [CompletionResult]::new('--silence-timeout', '--silence-timeout', [CompletionResultType]::ParameterName, 'Seconds mid-call without RTP or RTCP before WhatsApp hangs up (138021)')
            [CompletionResult]::new('--accept-timeout', '--accept-timeout', [CompletionResultType]::ParameterName, 'Seconds from the connect webhook to accept before the call is not answered')
            [CompletionResult]::new('--ring-seconds', '--ring-seconds', [CompletionResultType]::ParameterName, 'Business-initiated calls: seconds the user''s phone rings before they pick up')
            [CompletionResult]::new('--media-stack', '--media-stack', [CompletionResultType]::ParameterName, 'WhatsApp''s media stack when it offers: rtc (webrtc-rs''s core) or lean (wacall''s own ICE-lite, DTLS and SRTP: less CPU per caller)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--light', '--light', [CompletionResultType]::ParameterName, 'Encode the caller''s audio once (one second of a tone, a --send file whole up to a minute) and loop it, so one machine can play many callers (load tests); what they hear is decoded for its first 2 s (level and frequency), then only counted (loss, jitter)')
            [CompletionResult]::new('--silence', '--silence', [CompletionResultType]::ParameterName, 'The caller sends silence')
            [CompletionResult]::new('--no-wait-for-maiden', '--no-wait-for-maiden', [CompletionResultType]::ParameterName, 'Send media right after accept instead of after the business''s first packet')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;sim;openai' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen')
            [CompletionResult]::new('--accept-key', '--accept-key', [CompletionResultType]::ParameterName, 'Accept only this bearer token (default: any non-empty one)')
            [CompletionResult]::new('--pace', '--pace', [CompletionResultType]::ParameterName, 'How much faster than real time responses stream')
            [CompletionResult]::new('--drop-after', '--drop-after', [CompletionResultType]::ParameterName, 'Drop the first connection this long after it opens (tests reconnection)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (default: until Ctrl-C)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--garbage', '--garbage', [CompletionResultType]::ParameterName, 'Before each response, send a non-JSON frame, an unknown event and a malformed one')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;sim;help' {
            [CompletionResult]::new('offer', 'offer', [CompletionResultType]::ParameterValue, 'Only the media peer: write WhatsApp''s offer, read an answer, run the call')
            [CompletionResult]::new('openai', 'openai', [CompletionResultType]::ParameterValue, 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wacall;sim;help;offer' {
            break
        }
        'wacall;sim;help;openai' {
            break
        }
        'wacall;sim;help;help' {
            break
        }
        'wacall;listen' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where the server listens')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'The webhook path')
            [CompletionResult]::new('--app-secret', '--app-secret', [CompletionResultType]::ParameterName, 'The app secret that signs Meta''s webhooks (X-Hub-Signature-256)')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'Answer Meta''s GET verification handshake for this token')
            [CompletionResult]::new('--capture', '--capture', [CompletionResultType]::ParameterName, 'Write every delivery (raw body, headers, time) into DIR, for `wacall replay`')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest webhook body taken, in bytes')
            [CompletionResult]::new('--busy', '--busy', [CompletionResultType]::ParameterName, 'What to do with a call that comes in during another')
            [CompletionResult]::new('--calls', '--calls', [CompletionResultType]::ParameterName, 'Exit after this many calls')
            [CompletionResult]::new('--offer', '--offer', [CompletionResultType]::ParameterName, 'Answer this offer (raw SDP or a connect webhook) instead of listening for webhooks')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The far end: speaker (default), or echo, tone[:HZ], play:FILE.wav, silence')
            [CompletionResult]::new('--phone-number-id', '--phone-number-id', [CompletionResultType]::ParameterName, 'The business number''s phone number id, when webhooks carry none')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'End each call after this long')
            [CompletionResult]::new('--input-device', '--input-device', [CompletionResultType]::ParameterName, 'The microphone: a device id or name from `wacall devices` (default: the system''s)')
            [CompletionResult]::new('--output-device', '--output-device', [CompletionResultType]::ParameterName, 'The speaker: a device id or name from `wacall devices` (default: the system''s)')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'The Graph API''s base URL (point it at `wacall sim`)')
            [CompletionResult]::new('--graph-version', '--graph-version', [CompletionResultType]::ParameterName, 'The Graph API version')
            [CompletionResult]::new('--accept-window', '--accept-window', [CompletionResultType]::ParameterName, 'How long pre_accept and accept may be retried (Meta''s accept window)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Gather host candidates on this address (repeatable; default all interfaces)')
            [CompletionResult]::new('--stun', '--stun', [CompletionResultType]::ParameterName, 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)')
            [CompletionResult]::new('--turn', '--turn', [CompletionResultType]::ParameterName, 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)')
            [CompletionResult]::new('--turn-username', '--turn-username', [CompletionResultType]::ParameterName, 'Username for the TURN servers')
            [CompletionResult]::new('--turn-credential', '--turn-credential', [CompletionResultType]::ParameterName, 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)')
            [CompletionResult]::new('--public-ip', '--public-ip', [CompletionResultType]::ParameterName, 'The server''s public address (1:1 NAT), advertised in place of the private one')
            [CompletionResult]::new('--udp-ports', '--udp-ports', [CompletionResultType]::ParameterName, 'Bind the media port in this range, e.g. 10000-10100')
            [CompletionResult]::new('--gather-timeout', '--gather-timeout', [CompletionResultType]::ParameterName, 'Stop gathering candidates after this long, and send what was gathered')
            [CompletionResult]::new('--ice-check-interval', '--ice-check-interval', [CompletionResultType]::ParameterName, 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks')
            [CompletionResult]::new('--media-stack', '--media-stack', [CompletionResultType]::ParameterName, 'Media stack with one concrete --bind and no STUN/TURN: rtc (webrtc-rs''s core) or lean (wacall''s own ICE, DTLS and SRTP: less CPU per call)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'ICE and DTLS must connect within this')
            [CompletionResult]::new('--opus-complexity', '--opus-complexity', [CompletionResultType]::ParameterName, 'Opus encoder complexity, 0-10: lower costs less CPU per call (1 takes about half of 5''s encoding time) for slightly coarser sound')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--insecure-skip-signature', '--insecure-skip-signature', [CompletionResultType]::ParameterName, 'Take webhooks without checking their signature (local tests only)')
            [CompletionResult]::new('--auto-answer', '--auto-answer', [CompletionResultType]::ParameterName, 'Answer every call without asking')
            [CompletionResult]::new('--mute', '--mute', [CompletionResultType]::ParameterName, 'Send silence instead of the microphone (the caller is still heard)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;replay' {
            [CompletionResult]::new('--app-secret', '--app-secret', [CompletionResultType]::ParameterName, 'The app secret, to verify captured X-Hub-Signature-256 headers')
            [CompletionResult]::new('--accept-window', '--accept-window', [CompletionResultType]::ParameterName, 'Meta''s window for answering a call, in seconds')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Play the captured calls again, as Meta, toward this webhook URL')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The far end of --self: echo, tone[:HZ], play:FILE.wav, silence, speaker')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Speed of replay: gaps between calls and each call''s length (2 = twice as fast)')
            [CompletionResult]::new('--graph-listen', '--graph-listen', [CompletionResultType]::ParameterName, 'Where the fake Graph API listens; your receiver''s Graph base URL must point here')
            [CompletionResult]::new('--graph-token', '--graph-token', [CompletionResultType]::ParameterName, 'The token the fake Graph API accepts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--no-answer', '--no-answer', [CompletionResultType]::ParameterName, 'Do not build answers (no sockets are opened at all)')
            [CompletionResult]::new('--self', '--self', [CompletionResultType]::ParameterName, 'Play them again toward wacall''s own receiver and bridge (`serve`), in this process')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;serve' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Read settings from this TOML file, keys named as the long flags (`listen = "0.0.0.0:8080"`); the environment and flags win over it, and secrets are never read from it')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where the server listens')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'The webhook path')
            [CompletionResult]::new('--app-secret', '--app-secret', [CompletionResultType]::ParameterName, 'The app secret that signs Meta''s webhooks (X-Hub-Signature-256)')
            [CompletionResult]::new('--verify-token', '--verify-token', [CompletionResultType]::ParameterName, 'Answer Meta''s GET verification handshake for this token')
            [CompletionResult]::new('--capture', '--capture', [CompletionResultType]::ParameterName, 'Write every delivery (raw body, headers, time) into DIR, for `wacall replay`')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest webhook body taken, in bytes')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Each call''s far end: openai, echo, echo:opus (undecoded, for load tests), tone[:HZ], play:FILE.wav, silence')
            [CompletionResult]::new('--api-token-file', '--api-token-file', [CompletionResultType]::ParameterName, 'The control API''s bearer token, from a file (default: the WACALL_API_TOKEN variable)')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'After SIGTERM, how long active calls may go on before they are ended')
            [CompletionResult]::new('--max-calls', '--max-calls', [CompletionResultType]::ParameterName, 'Take at most N calls at once: more are rejected (Graph `reject`; 503 from POST /sessions/start) and GET /health says "full" (503) until one ends, so the calls in progress keep their audio on a full machine')
            [CompletionResult]::new('--phone-number-id', '--phone-number-id', [CompletionResultType]::ParameterName, 'The business number''s phone number id, when webhooks carry none')
            [CompletionResult]::new('--record-dir', '--record-dir', [CompletionResultType]::ParameterName, 'Write each call''s recording (`<call id>.wav`, stereo: caller left, far end right), report (`.json`) and transcript (`.txt`) into DIR')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis for several instances behind one load balancer: call ownership, routing of terminates and control requests, dead instances noticed')
            [CompletionResult]::new('--instance-id', '--instance-id', [CompletionResultType]::ParameterName, 'This instance''s name among the others (default: host name and process id)')
            [CompletionResult]::new('--instance-ttl', '--instance-ttl', [CompletionResultType]::ParameterName, 'An instance that has not renewed its Redis key for this long is dead')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'The Graph API''s base URL (point it at `wacall sim`)')
            [CompletionResult]::new('--graph-version', '--graph-version', [CompletionResultType]::ParameterName, 'The Graph API version')
            [CompletionResult]::new('--accept-window', '--accept-window', [CompletionResultType]::ParameterName, 'How long pre_accept and accept may be retried (Meta''s accept window)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Gather host candidates on this address (repeatable; default all interfaces)')
            [CompletionResult]::new('--stun', '--stun', [CompletionResultType]::ParameterName, 'A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)')
            [CompletionResult]::new('--turn', '--turn', [CompletionResultType]::ParameterName, 'A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)')
            [CompletionResult]::new('--turn-username', '--turn-username', [CompletionResultType]::ParameterName, 'Username for the TURN servers')
            [CompletionResult]::new('--turn-credential', '--turn-credential', [CompletionResultType]::ParameterName, 'Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)')
            [CompletionResult]::new('--public-ip', '--public-ip', [CompletionResultType]::ParameterName, 'The server''s public address (1:1 NAT), advertised in place of the private one')
            [CompletionResult]::new('--udp-ports', '--udp-ports', [CompletionResultType]::ParameterName, 'Bind the media port in this range, e.g. 10000-10100')
            [CompletionResult]::new('--gather-timeout', '--gather-timeout', [CompletionResultType]::ParameterName, 'Stop gathering candidates after this long, and send what was gathered')
            [CompletionResult]::new('--ice-check-interval', '--ice-check-interval', [CompletionResultType]::ParameterName, 'ICE check interval while connecting: shorter connects faster, longer sends fewer checks')
            [CompletionResult]::new('--media-stack', '--media-stack', [CompletionResultType]::ParameterName, 'Media stack with one concrete --bind and no STUN/TURN: rtc (webrtc-rs''s core) or lean (wacall''s own ICE, DTLS and SRTP: less CPU per call)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'ICE and DTLS must connect within this')
            [CompletionResult]::new('--opus-complexity', '--opus-complexity', [CompletionResultType]::ParameterName, 'Opus encoder complexity, 0-10: lower costs less CPU per call (1 takes about half of 5''s encoding time) for slightly coarser sound')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The Realtime model')
            [CompletionResult]::new('--voice', '--voice', [CompletionResultType]::ParameterName, 'The AI''s voice')
            [CompletionResult]::new('--instructions', '--instructions', [CompletionResultType]::ParameterName, 'System instructions for the AI')
            [CompletionResult]::new('--instructions-file', '--instructions-file', [CompletionResultType]::ParameterName, 'Read the instructions from a file')
            [CompletionResult]::new('--greeting', '--greeting', [CompletionResultType]::ParameterName, 'The AI speaks first with these words, once the call is accepted and media flows')
            [CompletionResult]::new('--vad', '--vad', [CompletionResultType]::ParameterName, 'Turn detection: silence-based (server) or model-based (semantic)')
            [CompletionResult]::new('--transcription-model', '--transcription-model', [CompletionResultType]::ParameterName, 'Model that transcribes the caller; `none` for no caller transcript')
            [CompletionResult]::new('--openai-url', '--openai-url', [CompletionResultType]::ParameterName, 'The Realtime WebSocket endpoint (point it at `wacall sim openai`); the WebRTC transport posts to `/calls` beside it')
            [CompletionResult]::new('--openai-transport', '--openai-transport', [CompletionResultType]::ParameterName, 'How audio reaches OpenAI: PCM events on a WebSocket (decoded and resampled), or Opus forwarded untouched on a WebRTC leg')
            [CompletionResult]::new('--price', '--price', [CompletionResultType]::ParameterName, 'Override a price for the cost estimate, in USD per million tokens: audio-in, audio-cached-in, audio-out, text-in, text-cached-in, text-out (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--check-config', '--check-config', [CompletionResultType]::ParameterName, 'Check the configuration (file, environment and flags), print the settings in force and exit: 0 when valid, 2 when not')
            [CompletionResult]::new('--insecure-skip-signature', '--insecure-skip-signature', [CompletionResultType]::ParameterName, 'Take webhooks without checking their signature (local tests only)')
            [CompletionResult]::new('--insecure-no-api-token', '--insecure-no-api-token', [CompletionResultType]::ParameterName, 'Serve /sessions without a token (local tests only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;devices' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the file into this directory instead of printing it')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write wacall.1 and one page per subcommand into this directory')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine-readable output: one JSON document, or JSON Lines for commands that stream')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log more to stderr: -v for steps, -vv for protocol detail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit status tells the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wacall;help' {
            [CompletionResult]::new('lint-sdp', 'lint-sdp', [CompletionResultType]::ParameterValue, 'Check an SDP offer and answer against WhatsApp''s rules')
            [CompletionResult]::new('bridge', 'bridge', [CompletionResultType]::ParameterValue, 'Answer a WhatsApp call from its offer and move its audio to a far end')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A whole call on loopback: wacall sim and wacall bridge in one process, no keys')
            [CompletionResult]::new('sim', 'sim', [CompletionResultType]::ParameterValue, 'Play Meta''s side of calls: WhatsApp''s media peer, the Graph API and signed webhooks')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Take WhatsApp calls on this machine''s speaker and microphone: webhooks in, calls answered')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Explain captured webhooks: each call''s timeline, why it failed, what wacall would answer')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'The bridge as a service: many calls at once, a control API, metrics, draining on SIGTERM')
            [CompletionResult]::new('devices', 'devices', [CompletionResultType]::ParameterValue, 'List the audio devices `--to speaker` and `wacall listen` can use')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print or write shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wacall;help;lint-sdp' {
            break
        }
        'wacall;help;bridge' {
            break
        }
        'wacall;help;demo' {
            break
        }
        'wacall;help;sim' {
            [CompletionResult]::new('offer', 'offer', [CompletionResultType]::ParameterValue, 'Only the media peer: write WhatsApp''s offer, read an answer, run the call')
            [CompletionResult]::new('openai', 'openai', [CompletionResultType]::ParameterValue, 'A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears')
            break
        }
        'wacall;help;sim;offer' {
            break
        }
        'wacall;help;sim;openai' {
            break
        }
        'wacall;help;listen' {
            break
        }
        'wacall;help;replay' {
            break
        }
        'wacall;help;serve' {
            break
        }
        'wacall;help;devices' {
            break
        }
        'wacall;help;completions' {
            break
        }
        'wacall;help;man' {
            break
        }
        'wacall;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
