"""`python tools/e2e/moto_launch.py [--hosted-zone NAME=ID ...] -- MOTO_SERVER_ARGS`: moto.server, with
the ids some objects must have registered first (moto's own custom-id manager, which only a process
that imports moto can reach: no moto-api route sets one).

A Route 53 hosted zone that an environment's settings name by id (application.alb.hosted_zone_id)
exists in the real account before the first apply, made by the team; moto gives every new zone a random
id, so the zone the run seeds (tools/e2e/account.py) gets the settings' id here, and the stacks run as
synthesized. Run by path, not `-m`: it needs nothing of this repository but moto.
"""
from __future__ import annotations

import argparse
import sys


def register_hosted_zones(zones: list[str]) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.route53.models import HostedZoneIdentifier
    from moto.utilities.id_generator import moto_id_manager

    for zone in zones:
        name, zone_id = zone.split("=", 1)
        fqdn = name if name.endswith(".") else f"{name}."   # moto names zones with the final dot
        moto_id_manager.set_custom_id(HostedZoneIdentifier(DEFAULT_ACCOUNT_ID, fqdn, None), zone_id)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="moto_launch")
    parser.add_argument("--hosted-zone", action="append", default=[], metavar="NAME=ID")
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    register_hosted_zones(args.hosted_zone)
    from moto.server import main as serve

    serve(argv[split + 1:])


if __name__ == "__main__":
    main(sys.argv[1:])
