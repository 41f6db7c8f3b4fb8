"""The command line: ``bptt-sim serve`` (more subcommands follow the same pattern)."""
import argparse
import sys


def _serve(args):
    from .server import serve
    origins = args.allow_websocket_origin or None
    print(f"bptt-sim: serving on http://{args.address}:{args.port}/ (Ctrl+C stops)", flush=True)
    serve(port=args.port, address=args.address, show=args.show, websocket_origin=origins)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="bptt-sim", description="A visual simulator of recurrent nets "
                                     "trained by backpropagation through time (Hinton, lecture 7b).")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the app in the browser")
    serve.add_argument("--port", type=int, default=5006, help="port (default 5006; 0 picks a free one)")
    serve.add_argument("--address", default="localhost",
                       help="address to listen on (default localhost; 0.0.0.0 for a class network)")
    serve.add_argument("--show", action="store_true", help="open a browser tab")
    serve.add_argument("--allow-websocket-origin", action="append", metavar="HOST[:PORT]",
                       help="extra host:port the page may be opened from (e.g. the lecturer's address)")
    serve.set_defaults(run=_serve)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 0
    except (ValueError, OSError) as exc:
        print(f"bptt-sim: error: {exc}", file=sys.stderr)
        return 2
