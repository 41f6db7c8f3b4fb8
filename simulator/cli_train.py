"""`bptt-sim train`'s named training options (issue 16): the same names as the app's settings and
the document's training section, handed on as --set NAME=V (simulator/sweep.py reads them)."""
import argparse

# engine.OPTIMIZERS, written out: importing the engine loads Numba, which `bptt-sim --help` need not
# wait for (tests/test_cli_train.py checks that the two agree).
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")

#: option -> the Session setting it sets
OPTIONS = {"optimizer": "optimizer", "learning_rate": "learning_rate", "momentum": "momentum",
           "batch_size": "batch_size", "weight_decay": "weight_decay", "truncate": "truncate",
           "stop_at": "stop_at_loss"}


def _at_least_one(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; got {value}")
    return value


def add_options(parser):
    """Add --optimizer, --learning-rate, --momentum, --batch-size, --weight-decay, --truncate and
    --stop-at to ``parser`` (the train command's)."""
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="the learning rule (default: the lesson's, momentum)")
    parser.add_argument("--learning-rate", type=float, metavar="X", help="epsilon")
    parser.add_argument("--momentum", type=float, metavar="X", help="alpha of the momentum rule")
    parser.add_argument("--batch-size", type=_at_least_one, metavar="B", help="cases per update (default: all)")
    parser.add_argument("--weight-decay", type=float, metavar="X", help="lambda: adds lambda * W to W's gradient")
    parser.add_argument("--truncate", type=_at_least_one, metavar="H", help="BPTT(h): h steps back at most")
    parser.add_argument("--stop-at", type=float, metavar="LOSS", help="stop once the loss is at or below LOSS")


def as_set(args):
    """The named options given, as --set items NAME=V."""
    return [f"{setting}={getattr(args, option)}" for option, setting in OPTIONS.items()
            if getattr(args, option, None) is not None]
