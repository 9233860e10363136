"""`sbk cluster haproxy-config`: the load balancer's configuration for `make run-cluster` (bot/cluster.py).

    sbk cluster haproxy-config --output build/cluster/haproxy.cfg        # deploy/cluster.conf's servers
    sbk cluster haproxy-config --rasa 127.0.0.1:5105 --rasa 10.0.0.7:5005  # a Rasa server on another machine
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cluster import (
    DEFAULT_ACTIONS,
    DEFAULT_BACKOFFICE,
    DEFAULT_RASA,
    ClusterConfigError,
    default_layout,
    haproxy_config,
)


def run_haproxy_config(args: argparse.Namespace) -> int:
    try:
        layout = default_layout(rasa=args.rasa or DEFAULT_RASA, actions=args.actions or DEFAULT_ACTIONS,
                                backoffice=args.backoffice or DEFAULT_BACKOFFICE, host=args.listen_host)
    except ClusterConfigError as exc:
        print(f"sbk cluster haproxy-config: error: {exc}", file=sys.stderr)
        return 2
    text = haproxy_config(layout)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    cluster = commands.add_parser("cluster", help="several servers of each kind behind a load balancer")
    sub = cluster.add_subparsers(dest="cluster_command", required=True, parser_class=type(cluster))
    config = sub.add_parser("haproxy-config", help="HAProxy's configuration for the servers (make run-cluster)")
    config.add_argument("--rasa", action="append", metavar="HOST:PORT",
                        help=f"a Rasa server, repeated (default {' '.join(DEFAULT_RASA)})")
    config.add_argument("--actions", action="append", metavar="HOST:PORT",
                        help=f"an action server, repeated (default {' '.join(DEFAULT_ACTIONS)})")
    config.add_argument("--backoffice", action="append", metavar="HOST:PORT",
                        help=f"a back-office process, repeated (default {' '.join(DEFAULT_BACKOFFICE)})")
    config.add_argument("--listen-host", default="127.0.0.1",
                        help="where HAProxy listens on ports 5005, 5055 and 8000 (127.0.0.1)")
    config.add_argument("--output", type=Path, default=None, help="file to write (standard output if absent)")
    config.set_defaults(handler=run_haproxy_config)
