"""`respcheck schema`: derive the contract, report drift, validate a JSON file against a component."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from respcheck.errors import UserError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("schema", help="derive / check / drift-report the OpenAPI contract")
    actions = parser.add_subparsers(dest="schema_action", metavar="ACTION", parser_class=type(parser))
    derive = actions.add_parser("derive", help="write schemas/openapi.yaml and schemas/json from ../shared/specs")
    derive.add_argument("--check", action="store_true", help="exit 1 if committed files differ from a fresh derivation")
    derive.set_defaults(func=_derive)
    drift = actions.add_parser("drift", help="compare the committed contract with the upstream specs")
    drift.add_argument("--json", action="store_true", help="print the report as JSON")
    drift.set_defaults(func=_drift)
    val = actions.add_parser("validate", help="validate a JSON file against a contract component")
    val.add_argument("component", help="component name, e.g. AzureResponse, or event:<type>")
    val.add_argument("file", type=Path)
    val.set_defaults(func=_validate)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _derive(args: argparse.Namespace) -> int:
    from respcheck.contract import derive

    differ = derive.write(check=args.check)
    if args.check:
        for rel in differ:
            print(f"differs: schemas/{rel}")
        print("contract is up to date" if not differ else f"{len(differ)} file(s) differ; run `respcheck schema derive`")
        return 1 if differ else 0
    print(f"wrote {len(differ)} changed file(s) under schemas/")
    return 0


def _drift(args: argparse.Namespace) -> int:
    from respcheck import contract
    from respcheck.contract import drift

    report = drift.compare(contract.load())
    print(json.dumps(report, indent=2) if args.json else drift.render(report))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from respcheck import contract

    try:
        instance = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read {args.file}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{args.file} is not JSON: {exc}") from None
    if args.component.startswith("event:") or args.component == "event":
        errors = contract.validate_event(instance)
    else:
        errors = contract.validate(args.component, instance)
    for err in errors:
        print(err)
    if not errors:
        print("valid")
    return 1 if errors else 0
