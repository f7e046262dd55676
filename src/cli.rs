//! The command line, as clap derive types. Nothing here does anything: `cmd`
//! turns these into work. `--help`, the man pages and the shell completions
//! are all generated from these definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_CODES: &str = "\
Exit status:
  0  success: no error findings, the call worked
  1  error findings (or warnings with --deny-warnings), or a failed call
  2  usage error, or input that cannot be read (missing, binary, empty, not SDP)

Environment:
  NO_COLOR  disables color when set to any non-empty value (also TERM=dumb)";

#[derive(Debug, Parser)]
#[command(
    name = "wacall",
    version,
    about = "Diagnose, simulate and bridge WhatsApp Business Calling API calls",
    long_about = "Diagnose, simulate and bridge WhatsApp Business Calling API calls.\n\n\
        A WhatsApp call fails silently when the business side's SDP answer breaks one of \
        WhatsApp's rules: the phone rings, connects, stays silent, and Meta hangs up after \
        about 20 seconds (error 138021). wacall checks SDPs against those rules, plays \
        Meta's side of a call on loopback, and bridges real calls to a far end.",
    after_long_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to color the output: `auto` colors a terminal unless NO_COLOR is set or TERM=dumb
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Machine-readable output: one JSON document, or JSON Lines for commands that stream
    #[arg(long, global = true)]
    pub json: bool,
    /// Log more to stderr: -v for steps, -vv for protocol detail
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Print nothing on stdout; the exit status tells the result
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an SDP offer and answer against WhatsApp's rules
    #[command(after_long_help = EXIT_CODES)]
    LintSdp(LintSdpArgs),
    /// Answer a WhatsApp call from its offer and move its audio to a far end
    #[command(after_long_help = EXIT_CODES)]
    Bridge(Box<BridgeArgs>),
    /// A whole call on loopback: wacall sim and wacall bridge in one process, no keys
    #[command(after_long_help = EXIT_CODES)]
    Demo(DemoArgs),
    /// Play Meta's side of calls: WhatsApp's media peer, the Graph API and signed webhooks
    #[command(after_long_help = EXIT_CODES)]
    Sim(Box<SimArgs>),
    /// Take WhatsApp calls on this machine's speaker and microphone: webhooks in, calls answered
    #[command(after_long_help = EXIT_CODES)]
    Listen(Box<ListenArgs>),
    /// Explain captured webhooks: each call's timeline, why it failed, what wacall would answer
    #[command(after_long_help = EXIT_CODES)]
    Replay(ReplayArgs),
    /// The bridge as a service: many calls at once, a control API, metrics, draining on SIGTERM
    #[command(after_long_help = EXIT_CODES)]
    Serve(Box<ServeArgs>),
    /// List the audio devices `--to speaker` and `wacall listen` can use
    #[command(after_long_help = EXIT_CODES)]
    Devices,
    /// Print or write shell completions
    Completions(CompletionsArgs),
    /// Write the man pages
    Man(ManArgs),
}

#[derive(Debug, Args)]
#[command(
    long_about = "Check an SDP offer and answer against WhatsApp's rules.\n\n\
        Each input may be raw SDP (CRLF or LF), a WhatsApp webhook body, a Graph API /calls \
        request body (pre_accept, accept, connect), a {\"type\",\"sdp\"} description, or a \
        JSON string holding an escaped SDP; `-` reads stdin. Given one input alone, wacall \
        takes it as an offer if it says so (or has a=setup:actpass), else as an answer.\n\n\
        In a user-initiated call WhatsApp offers and the business answers; in a \
        business-initiated call the roles swap. Rules apply to the role each SDP plays."
)]
pub struct LintSdpArgs {
    /// The offer (or, given alone, whichever SDP it is)
    #[arg(value_name = "OFFER", conflicts_with_all = ["list_rules", "explain"])]
    pub first: Option<PathBuf>,
    /// The answer
    #[arg(value_name = "ANSWER", conflicts_with_all = ["answer"])]
    pub second: Option<PathBuf>,
    /// The offer, by flag
    #[arg(long, value_name = "FILE", conflicts_with_all = ["list_rules", "explain"])]
    pub offer: Option<PathBuf>,
    /// The answer, by flag
    #[arg(long, value_name = "FILE", conflicts_with_all = ["list_rules", "explain"])]
    pub answer: Option<PathBuf>,
    /// Who placed the call; by default taken from the inputs, else user-initiated
    #[arg(long, value_enum, value_name = "WHO")]
    pub direction: Option<DirectionArg>,
    /// Exit 1 on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print a rule's documentation (by code, e.g. WA003, or name)
    #[arg(long, value_name = "RULE", conflicts_with = "list_rules")]
    pub explain: Option<String>,
    /// List every rule
    #[arg(long)]
    pub list_rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// The user calls the business: WhatsApp offers
    #[value(name = "user-initiated", alias = "user")]
    UserInitiated,
    /// The business calls the user: WhatsApp answers
    #[value(name = "business-initiated", alias = "business")]
    BusinessInitiated,
}

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    long_about = "Play Meta's side of WhatsApp calls on this machine: WhatsApp's media server (ICE-lite, \
        the DTLS server, Opus), the Graph API (/calls: pre_accept, accept, reject, terminate) and the \
        signed webhooks (connect, terminate). Point it at a bridge that receives webhooks and answers \
        through the Graph API; each call's timeline and a summary are printed, and a failed call says \
        which layer failed.\n\n\
        The bridge must send its Graph API requests to the URL printed at start (--graph-listen fixes \
        the address), with the token from --graph-token.\n\n\
        `wacall sim offer` plays only the media peer, for an offer and answer pasted by hand."
)]
pub struct SimArgs {
    #[command(subcommand)]
    pub mode: Option<SimMode>,
    /// Where to POST webhooks (the bridge's webhook endpoint); given more than
    /// once, deliveries go to each in turn, as a load balancer would spread them
    #[arg(long, value_name = "URL", required = false)]
    pub webhook_url: Vec<String>,
    /// App secret that signs webhooks (X-Hub-Signature-256)
    #[arg(
        long,
        value_name = "SECRET",
        env = "WACALL_APP_SECRET",
        hide_env_values = true
    )]
    pub app_secret: Option<String>,
    /// Run the GET verification handshake with this token first
    #[arg(long, value_name = "TOKEN")]
    pub verify_token: Option<String>,
    /// Address of the fake Graph API
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub graph_listen: std::net::SocketAddr,
    /// Bearer token the fake Graph API accepts
    #[arg(
        long,
        value_name = "TOKEN",
        env = "WACALL_SIM_GRAPH_TOKEN",
        hide_env_values = true,
        default_value = "wacall-sim-token"
    )]
    pub graph_token: String,
    /// The business number's phone number id
    #[arg(long, value_name = "ID", default_value = "100000000000001")]
    pub phone_number_id: String,
    /// The business number as displayed
    #[arg(long, value_name = "NUMBER", default_value = "15550009999")]
    pub display_phone_number: String,
    /// The WhatsApp Business Account id
    #[arg(long, value_name = "ID", default_value = "100000000000002")]
    pub waba_id: String,
    /// Number of calls to place
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub calls: usize,
    /// Calls at once
    #[arg(long, value_name = "C", default_value_t = 1)]
    pub concurrency: usize,
    /// Spread the first C calls' starts evenly over this many seconds (0: all at once)
    #[arg(long, value_name = "S", default_value_t = 0.0)]
    pub ramp: f64,
    /// Delivery attempts per webhook (Meta retries at once, then with growing gaps)
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub webhook_retries: u32,
    /// Wait for the bridge to place N business-initiated calls (Graph `connect`) instead of calling it
    #[arg(long)]
    pub business_initiated: bool,
    /// Business-initiated: seconds to wait for each `connect` request
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub wait_seconds: f64,
    /// Make the next Graph requests of an action fail, e.g. accept:503x2
    #[arg(long, value_name = "ACTION:STATUS[xN]")]
    pub inject_graph_error: Vec<String>,
    #[command(flatten)]
    pub media: SimMediaArgs,
}

#[derive(Debug, Subcommand)]
pub enum SimMode {
    /// Only the media peer: write WhatsApp's offer, read an answer, run the call
    #[command(after_long_help = EXIT_CODES)]
    Offer(SimOfferArgs),
    /// A stand-in for the OpenAI Realtime API (WebSocket, GA events) that says back what it hears
    #[command(after_long_help = EXIT_CODES)]
    Openai(SimOpenAiArgs),
}

#[derive(Debug, Args)]
pub struct SimOpenAiArgs {
    /// Where to listen
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8765")]
    pub listen: std::net::SocketAddr,
    /// Accept only this bearer token (default: any non-empty one)
    #[arg(long, value_name = "KEY")]
    pub accept_key: Option<String>,
    /// How much faster than real time responses stream
    #[arg(long, value_name = "X", default_value_t = 4.0)]
    pub pace: f64,
    /// Before each response, send a non-JSON frame, an unknown event and a malformed one
    #[arg(long)]
    pub garbage: bool,
    /// Drop the first connection this long after it opens (tests reconnection)
    #[arg(long, value_name = "S")]
    pub drop_after: Option<f64>,
    /// Stop after this long (default: until Ctrl-C)
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
}

#[derive(Debug, Args)]
pub struct SimOfferArgs {
    /// Where to write the offer (`-` for stdout)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The answer: raw SDP or a Graph API request body; `-` reads stdin, a file is waited for
    #[arg(long, value_name = "FILE")]
    pub answer: PathBuf,
    /// How long to wait for the answer
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
    pub answer_timeout: f64,
    #[command(flatten)]
    pub media: SimMediaArgs,
}

/// What the simulated caller sends and how WhatsApp's side behaves.
#[derive(Debug, Args, Clone)]
pub struct SimMediaArgs {
    /// Seconds the caller stays once media flows
    #[arg(long, value_name = "S", default_value_t = 10.0)]
    pub seconds: f64,
    /// Encode the caller's audio once (one second of a tone, a --send file
    /// whole up to a minute) and loop it, so one machine can play many
    /// callers (load tests); what they hear is decoded
    /// for its first 2 s (level and frequency), then only counted (loss, jitter)
    #[arg(long)]
    pub light: bool,
    /// The caller sends a tone of this frequency (default 440)
    #[arg(long, value_name = "HZ", conflicts_with_all = ["send", "silence"])]
    pub tone: Option<f64>,
    /// The caller sends this WAV file (48 kHz, 16-bit), looped
    #[arg(long, value_name = "FILE.wav", conflicts_with = "silence")]
    pub send: Option<PathBuf>,
    /// The caller sends silence
    #[arg(long)]
    pub silence: bool,
    /// Keys the caller presses once media flows (RFC 4733), e.g. 123#
    #[arg(long, value_name = "KEYS")]
    pub dtmf: Option<String>,
    /// Write what WhatsApp's side heard to DIR/call-N.wav
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Address of WhatsApp's media candidate
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub media_ip: std::net::IpAddr,
    /// Reuse the audio section of a captured offer (codecs, fmtp, ptime, SSRC attributes)
    #[arg(long, value_name = "FILE")]
    pub offer_template: Option<PathBuf>,
    /// Seconds after accept without media before WhatsApp hangs up (138021)
    #[arg(long, value_name = "S", default_value_t = 20.0)]
    pub no_media_timeout: f64,
    /// Seconds mid-call without RTP or RTCP before WhatsApp hangs up (138021)
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    pub silence_timeout: f64,
    /// Seconds from the connect webhook to accept before the call is not answered
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub accept_timeout: f64,
    /// Send media right after accept instead of after the business's first packet
    #[arg(long)]
    pub no_wait_for_maiden: bool,
    /// Business-initiated calls: seconds the user's phone rings before they pick up
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    pub ring_seconds: f64,
    /// WhatsApp's media stack when it offers: rtc (webrtc-rs's core) or lean (wacall's own ICE-lite, DTLS and SRTP: less CPU per caller)
    #[arg(long, value_name = "STACK", default_value = "rtc", value_parser = ["rtc", "lean"])]
    pub media_stack: String,
}

#[derive(Debug, Args)]
#[command(
    long_about = "Answer a WhatsApp call from its offer and move its audio to a far end.\n\n\
        The answer is made the way WhatsApp needs it: a full ICE agent (controlling toward \
        WhatsApp's ICE-lite offer), the DTLS client (a=setup:active), one sha-256 fingerprint, \
        Opus and DTMF at the offer's payload types, one SSRC. It is checked with the lint-sdp \
        rules before it leaves; an answer with errors is not sent unless --force.\n\n\
        Manual signalling (the default): the answer is printed (or written with --answer-out) for \
        you to send, and the bridge waits for the connection. Graph signalling (--graph): \
        pre_accept, accept once ICE and DTLS are up, and terminate at the end, through the Graph \
        API with the token from WHATSAPP_TOKEN or --token-file.\n\n\
        Audio goes out from the moment the call is accepted (silence when the far end is quiet), \
        so WhatsApp's 20 s no-media timer never fires."
)]
pub struct BridgeArgs {
    /// WhatsApp's offer: raw SDP or a connect webhook body; `-` reads stdin
    #[arg(long, value_name = "FILE")]
    pub offer: PathBuf,
    /// The far end: echo, echo:opus (the Opus packets back, undecoded), tone[:HZ], play:FILE.wav, silence, speaker, openai
    #[arg(long, value_name = "FAR_END", default_value = "echo")]
    pub to: String,
    /// Write the answer here (atomically) instead of printing it
    #[arg(long, value_name = "FILE")]
    pub answer_out: Option<PathBuf>,
    /// How to write the answer: raw SDP, or the Graph API accept body
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = AnswerFormat::Sdp)]
    pub answer_format: AnswerFormat,
    /// Signal through the Graph API: pre_accept, accept, terminate
    #[arg(long)]
    pub graph: bool,
    /// The call id (`wacid.…`); taken from a webhook given as --offer
    #[arg(long, value_name = "ID")]
    pub call_id: Option<String>,
    /// The business number's phone number id; taken from a webhook given as --offer
    #[arg(long, value_name = "ID")]
    pub phone_number_id: Option<String>,
    #[command(flatten)]
    pub graph_api: GraphArgs,
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub codec: CodecArgs,
    /// End the call after this long (default: until it ends or Ctrl-C)
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Record both directions (stereo WAV: caller left, far end right)
    #[arg(long, value_name = "FILE.wav")]
    pub record: Option<PathBuf>,
    /// Send the answer even when lint finds errors in it
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub audio: AudioArgs,
    #[command(flatten)]
    pub openai: OpenAiArgs,
}

/// Meta's webhooks in: the receiver `listen` and `serve` share.
#[derive(Debug, Args, Clone)]
pub struct ReceiverArgs {
    /// Where the server listens
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// The webhook path
    #[arg(long, value_name = "PATH", default_value = "/webhook")]
    pub path: String,
    /// The app secret that signs Meta's webhooks (X-Hub-Signature-256)
    #[arg(
        long,
        value_name = "SECRET",
        env = "WACALL_APP_SECRET",
        hide_env_values = true
    )]
    pub app_secret: Option<String>,
    /// Take webhooks without checking their signature (local tests only)
    #[arg(long, conflicts_with = "app_secret")]
    pub insecure_skip_signature: bool,
    /// Answer Meta's GET verification handshake for this token
    #[arg(
        long,
        value_name = "TOKEN",
        env = "WACALL_VERIFY_TOKEN",
        hide_env_values = true
    )]
    pub verify_token: Option<String>,
    /// Write every delivery (raw body, headers, time) into DIR, for `wacall replay`
    #[arg(long, value_name = "DIR")]
    pub capture: Option<PathBuf>,
    /// Largest webhook body taken, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_body: usize,
}

/// The Graph API, for `bridge --graph` and `listen`.
#[derive(Debug, Args, Clone)]
pub struct GraphArgs {
    /// A file holding the Graph API token (default: the WHATSAPP_TOKEN variable)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The Graph API's base URL (point it at `wacall sim`)
    #[arg(long, value_name = "URL", default_value = "https://graph.facebook.com")]
    pub graph_url: String,
    /// The Graph API version
    #[arg(long, value_name = "VERSION", default_value = "v23.0")]
    pub graph_version: String,
    /// How long pre_accept and accept may be retried (Meta's accept window)
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    pub accept_window: f64,
}

/// How the answer's transport is made: candidates, STUN/TURN, timeouts.
#[derive(Debug, Args, Clone)]
pub struct NetArgs {
    /// Gather host candidates on this address (repeatable; default all interfaces)
    #[arg(long, value_name = "IP")]
    pub bind: Vec<std::net::IpAddr>,
    /// A STUN server, e.g. stun:stun.l.google.com:19302 (repeatable)
    #[arg(long, value_name = "URL")]
    pub stun: Vec<String>,
    /// A TURN server, e.g. turn:turn.example.com:3478?transport=udp (repeatable)
    #[arg(long, value_name = "URL")]
    pub turn: Vec<String>,
    /// Username for the TURN servers
    #[arg(long, value_name = "NAME", requires = "turn")]
    pub turn_username: Option<String>,
    /// Credential for the TURN servers (or the WACALL_TURN_CREDENTIAL variable)
    #[arg(
        long,
        value_name = "SECRET",
        env = "WACALL_TURN_CREDENTIAL",
        hide_env_values = true
    )]
    pub turn_credential: Option<String>,
    /// The server's public address (1:1 NAT), advertised in place of the private one
    #[arg(long, value_name = "IP")]
    pub public_ip: Option<std::net::IpAddr>,
    /// Bind the media port in this range, e.g. 10000-10100
    #[arg(long, value_name = "MIN-MAX")]
    pub udp_ports: Option<String>,
    /// Stop gathering candidates after this long, and send what was gathered
    #[arg(long, value_name = "S", default_value_t = 1.0)]
    pub gather_timeout: f64,
    /// ICE check interval while connecting: shorter connects faster, longer sends fewer checks
    #[arg(long, value_name = "MS", default_value_t = 10)]
    pub ice_check_interval: u64,
    /// Media stack with one concrete --bind and no STUN/TURN: rtc (webrtc-rs's core) or lean (wacall's own ICE, DTLS and SRTP: less CPU per call)
    #[arg(long, value_name = "STACK", env = "WACALL_MEDIA_STACK", default_value = "rtc", value_parser = ["rtc", "lean"])]
    pub media_stack: String,
    /// ICE and DTLS must connect within this
    #[arg(long, value_name = "S", default_value_t = 15.0)]
    pub connect_timeout: f64,
}

/// How the audio to the caller is coded.
#[derive(Debug, Args, Clone)]
pub struct CodecArgs {
    /// Opus encoder complexity, 0-10: lower costs less CPU per call (1 takes
    /// about half of 5's encoding time) for slightly coarser sound
    #[arg(long, value_name = "0-10", default_value_t = 5,
          value_parser = clap::value_parser!(i32).range(0..=10))]
    pub opus_complexity: i32,
}

/// The local speaker and microphone (`--to speaker`, `wacall listen`).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Local audio (--to speaker)")]
pub struct AudioArgs {
    /// The microphone: a device id or name from `wacall devices` (default: the system's)
    #[arg(long, value_name = "DEVICE")]
    pub input_device: Option<String>,
    /// The speaker: a device id or name from `wacall devices` (default: the system's)
    #[arg(long, value_name = "DEVICE")]
    pub output_device: Option<String>,
    /// Send silence instead of the microphone (the caller is still heard)
    #[arg(long)]
    pub mute: bool,
}

/// The OpenAI Realtime far end (`--to openai`). The key comes from the
/// OPENAI_API_KEY variable or a `.env` file, never from a flag.
#[derive(Debug, Args)]
#[command(next_help_heading = "OpenAI far end (--to openai)")]
pub struct OpenAiArgs {
    /// The Realtime model
    #[arg(long, value_name = "MODEL", default_value = "gpt-realtime")]
    pub model: String,
    /// The AI's voice
    #[arg(long, value_name = "VOICE", default_value = "marin")]
    pub voice: String,
    /// System instructions for the AI
    #[arg(long, value_name = "TEXT", conflicts_with = "instructions_file")]
    pub instructions: Option<String>,
    /// Read the instructions from a file
    #[arg(long, value_name = "FILE")]
    pub instructions_file: Option<PathBuf>,
    /// The AI speaks first with these words, once the call is accepted and media flows
    #[arg(long, value_name = "TEXT")]
    pub greeting: Option<String>,
    /// Turn detection: silence-based (server) or model-based (semantic)
    #[arg(long, value_enum, value_name = "KIND", default_value_t = VadKind::Server)]
    pub vad: VadKind,
    /// Model that transcribes the caller; `none` for no caller transcript
    #[arg(long, value_name = "MODEL", default_value = "gpt-4o-mini-transcribe")]
    pub transcription_model: String,
    /// The Realtime WebSocket endpoint (point it at `wacall sim openai`); the
    /// WebRTC transport posts to `/calls` beside it
    #[arg(
        long,
        value_name = "URL",
        default_value = "wss://api.openai.com/v1/realtime"
    )]
    pub openai_url: String,
    /// How audio reaches OpenAI: PCM events on a WebSocket (decoded and
    /// resampled), or Opus forwarded untouched on a WebRTC leg
    #[arg(long, value_enum, value_name = "TRANSPORT", default_value_t = OpenAiTransport::Websocket)]
    pub openai_transport: OpenAiTransport,
    /// Override a price for the cost estimate, in USD per million tokens:
    /// audio-in, audio-cached-in, audio-out, text-in, text-cached-in, text-out (repeatable)
    #[arg(long, value_name = "NAME=USD")]
    pub price: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OpenAiTransport {
    Websocket,
    Webrtc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VadKind {
    Server,
    Semantic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnswerFormat {
    /// Raw SDP, CRLF line endings
    Sdp,
    /// A Graph API accept request body, ready for curl
    Graph,
}

#[derive(Debug, Args)]
#[command(long_about = "Explain captured webhooks, offline.\n\n\
        Takes Meta's webhook bodies as they arrived: raw bodies, `wacall listen --capture` files \
        (body, headers, receive time), JSON arrays of either, NDJSON, or directories of them. \
        Prints each call's timeline; checks signatures when a capture has its header and \
        --app-secret is given; explains calling errors (138021: no media from the business \
        within 20 s) with the lint rules that catch their usual causes; lints each offer, builds \
        the answer wacall's bridge would send (without connecting) and lints it, and shows the \
        Graph requests (pre_accept, accept) in full; flags duplicate deliveries, a terminate \
        before its connect, out-of-order and stale events, and calls left past the accept window.\n\n\
        Exit status 1 when a call failed, a signature is invalid or an anomaly was found.")]
pub struct ReplayArgs {
    /// Webhook files or directories
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The app secret, to verify captured X-Hub-Signature-256 headers
    #[arg(
        long,
        value_name = "SECRET",
        env = "WACALL_APP_SECRET",
        hide_env_values = true
    )]
    pub app_secret: Option<String>,
    /// Meta's window for answering a call, in seconds
    #[arg(long, value_name = "S", default_value_t = 30)]
    pub accept_window: u32,
    /// Do not build answers (no sockets are opened at all)
    #[arg(long)]
    pub no_answer: bool,
    /// Play the captured calls again, as Meta, toward this webhook URL
    #[arg(long, value_name = "URL", conflicts_with = "self_receiver")]
    pub target: Option<String>,
    /// Play them again toward wacall's own receiver and bridge (`serve`), in this process
    #[arg(long = "self")]
    pub self_receiver: bool,
    /// The far end of --self: echo, tone[:HZ], play:FILE.wav, silence, speaker
    #[arg(long, value_name = "FAR_END", default_value = "echo")]
    pub to: String,
    /// Speed of replay: gaps between calls and each call's length (2 = twice as fast)
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    pub speed: f64,
    /// Where the fake Graph API listens; your receiver's Graph base URL must point here
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub graph_listen: std::net::SocketAddr,
    /// The token the fake Graph API accepts
    #[arg(
        long,
        value_name = "TOKEN",
        env = "WACALL_SIM_GRAPH_TOKEN",
        hide_env_values = true,
        default_value = "wacall-sim-token"
    )]
    pub graph_token: String,
}

#[derive(Debug, Args)]
#[command(long_about = "The bridge as a service, for many calls at once.\n\n\
        One HTTP server: Meta's webhooks on --path (verification, signatures, de-duplication, \
        --capture, as `wacall listen`), each `connect` answered through the bridge with its own far \
        end and pre_accept/accept/terminate through the Graph API; and the control API: \
        GET /health ({\"status\",\"activeCalls\"}; 503 while draining or, with --max-calls, full), GET /metrics (Prometheus), \
        GET /sessions, GET /sessions/{callId}, POST /sessions/start ({callId, sdpOffer, fromNumber} \
        -> {sdpAnswer}, for setups that signal the call themselves), DELETE /sessions/{callId}. \
        /sessions needs `Authorization: Bearer` with the token from WACALL_API_TOKEN or \
        --api-token-file.\n\n\
        SIGTERM or Ctrl-C drains: new calls are rejected, active ones may finish within \
        --drain-timeout, the rest are ended with Graph `terminate`; then it exits 0.")]
pub struct ServeArgs {
    /// Read settings from this TOML file, keys named as the long flags
    /// (`listen = "0.0.0.0:8080"`); the environment and flags win over it,
    /// and secrets are never read from it
    #[arg(long, value_name = "FILE", env = "WACALL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Check the configuration (file, environment and flags), print the
    /// settings in force and exit: 0 when valid, 2 when not
    #[arg(long)]
    pub check_config: bool,
    /// The settings the file supplied (filled in after parsing).
    #[arg(skip)]
    pub from_config: Vec<String>,
    #[command(flatten)]
    pub receiver: ReceiverArgs,
    /// Each call's far end: openai, echo, echo:opus (undecoded, for load tests), tone[:HZ], play:FILE.wav, silence
    #[arg(long, value_name = "FAR_END", default_value = "openai")]
    pub to: String,
    /// The control API's bearer token, from a file (default: the WACALL_API_TOKEN variable)
    #[arg(long, value_name = "FILE")]
    pub api_token_file: Option<PathBuf>,
    /// Serve /sessions without a token (local tests only)
    #[arg(long, conflicts_with = "api_token_file")]
    pub insecure_no_api_token: bool,
    /// After SIGTERM, how long active calls may go on before they are ended
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    pub drain_timeout: f64,
    /// Take at most N calls at once: more are rejected (Graph `reject`; 503
    /// from POST /sessions/start) and GET /health says "full" (503) until
    /// one ends, so the calls in progress keep their audio on a full machine
    #[arg(long, value_name = "N", env = "WACALL_MAX_CALLS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_calls: Option<u32>,
    /// The business number's phone number id, when webhooks carry none
    #[arg(long, value_name = "ID")]
    pub phone_number_id: Option<String>,
    /// Write each call's recording (`<call id>.wav`, stereo: caller left, far
    /// end right), report (`.json`) and transcript (`.txt`) into DIR
    #[arg(long, value_name = "DIR")]
    pub record_dir: Option<PathBuf>,
    /// Redis for several instances behind one load balancer: call ownership,
    /// routing of terminates and control requests, dead instances noticed
    #[arg(long, value_name = "URL", env = "WACALL_REDIS_URL")]
    pub redis: Option<String>,
    /// This instance's name among the others (default: host name and process id)
    #[arg(long, value_name = "ID", requires = "redis")]
    pub instance_id: Option<String>,
    /// An instance that has not renewed its Redis key for this long is dead
    #[arg(long, value_name = "S", default_value_t = 10.0, requires = "redis")]
    pub instance_ttl: f64,
    #[command(flatten)]
    pub graph_api: GraphArgs,
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub codec: CodecArgs,
    #[command(flatten)]
    pub openai: OpenAiArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BusyArg {
    /// Send Graph `reject` for it
    Reject,
    /// Leave it ringing until WhatsApp gives up
    Ignore,
}

#[derive(Debug, Args)]
#[command(
    long_about = "Take WhatsApp calls on this machine's speaker and microphone.\n\n\
        A webhook receiver (a real HTTP server) takes Meta's `calls` webhooks: the GET \
        verification with --verify-token, POSTs checked against X-Hub-Signature-256 with \
        --app-secret (401 and nothing done when it does not match), Meta's retried deliveries \
        taken once. A `connect` rings in the terminal; the call is answered when you say so \
        (or at once with --auto-answer) through the Graph API (pre_accept, accept), and its \
        audio goes to the speaker and comes from the microphone. Ctrl-C ends it with Graph \
        `terminate`; so does the caller hanging up. One call at a time owns the audio \
        devices: another incoming call is rejected (--busy).\n\n\
        For Meta to reach it, the receiver needs a public HTTPS URL (a tunnel) subscribed to \
        the `calls` field; `wacall sim --webhook-url` plays Meta on this machine instead.\n\n\
        With --offer FILE there is no receiver: that offer is answered (like `wacall bridge \
        --to speaker`)."
)]
pub struct ListenArgs {
    #[command(flatten)]
    pub receiver: ReceiverArgs,
    /// Answer every call without asking
    #[arg(long)]
    pub auto_answer: bool,
    /// What to do with a call that comes in during another
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = BusyArg::Reject)]
    pub busy: BusyArg,
    /// Exit after this many calls
    #[arg(long, value_name = "N")]
    pub calls: Option<u32>,
    /// Answer this offer (raw SDP or a connect webhook) instead of listening for webhooks
    #[arg(long, value_name = "FILE")]
    pub offer: Option<PathBuf>,
    /// The far end: speaker (default), or echo, tone[:HZ], play:FILE.wav, silence
    #[arg(long, value_name = "FAR_END", default_value = "speaker")]
    pub to: String,
    /// The business number's phone number id, when webhooks carry none
    #[arg(long, value_name = "ID")]
    pub phone_number_id: Option<String>,
    /// End each call after this long
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    #[command(flatten)]
    pub audio: AudioArgs,
    #[command(flatten)]
    pub graph_api: GraphArgs,
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub codec: CodecArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How long the call lasts
    #[arg(long, value_name = "S", default_value_t = 6.0)]
    pub seconds: f64,
    /// Who answers: the OpenAI stand-in (a local server speaking the Realtime
    /// API, which says back each turn), or a plain echo
    #[arg(long, value_enum, value_name = "FAR_END", default_value_t = DemoFarEnd::Ai)]
    pub far_end: DemoFarEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoFarEnd {
    Ai,
    Echo,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// Write the file into this directory instead of printing it
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write wacall.1 and one page per subcommand into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
