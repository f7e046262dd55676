
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
            cand completions 'Print or write shell completions'
            cand man 'Write the man pages'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wacall;help;lint-sdp'= {
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
