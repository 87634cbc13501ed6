"""Where each state instance lands in the configuration: `moved` blocks (instance, resource and
module level, chained, as Terraform applies them), the implied move between a single instance and
`[0]`, and `removed` blocks."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tools.drift.addresses import Address, Step
from tools.drift.config import Configuration, Move, Removal


@dataclass(frozen=True)
class Landing:
    original: Address
    final: Address
    blocked: str = ""     # why a matching move was not applied


def _match_modules(pattern: tuple[Step, ...], modules: tuple[Step, ...]) -> bool:
    if len(modules) < len(pattern):
        return False
    for index, step in enumerate(pattern):
        actual = modules[index]
        last = index == len(pattern) - 1
        if actual.name != step.name:
            return False
        if step.key is not None or not last:
            if actual.key != step.key:
                return False
    return True


def apply_move(move: Move, address: Address) -> Address | None:
    """`address` after `move`, or None when the move does not apply to it."""
    source, target = move.source, move.target
    if source.is_module:
        if not source.modules or not _match_modules(source.modules, address.modules):
            return None
        depth = len(source.modules)
        carried = address.modules[depth - 1].key if source.modules[-1].key is None else None
        last = target.modules[-1]
        key = last.key if last.key is not None else carried
        modules = target.modules[:-1] + (Step(last.name, key),) + address.modules[depth:]
        return Address(modules, address.type, address.name, address.key, address.mode)
    if address.modules != source.modules or (address.type, address.name) != (source.type, source.name):
        return None
    if source.key is None:
        return target.with_key(address.key if target.key is None else target.key)
    if source.key != address.key:
        return None
    return target


def follow(moves: Iterable[Move], address: Address) -> Address:
    """Apply every matching move once, in chains (A -> B, B -> C lands A on C)."""
    pending = list(moves)
    current = address
    progressed = True
    while progressed:
        progressed = False
        for move in pending:
            moved = apply_move(move, current)
            if moved is not None and moved != current:
                current = moved
                pending.remove(move)
                progressed = True
                break
    return current


def removal_for(removals: Iterable[Removal], address: Address) -> Removal | None:
    for removal in removals:
        source = removal.source
        if source.is_module:
            if source.modules and _match_modules(source.modules, address.modules):
                return removal
        elif (address.modules, address.type, address.name) == (source.modules, source.type, source.name) \
                and (source.key is None or source.key == address.key):
            return removal
    return None


def land(config: Configuration, addresses: list[Address]) -> list[Landing]:
    """The landing of every state instance address."""
    in_state = set(addresses)
    finals = {a: follow(config.moves, a) for a in addresses}
    landings: list[Landing] = []
    for original in addresses:
        final = finals[original]
        blocked = ""
        if final != original and final in in_state and finals[final] == final:
            blocked = f"the move to {final} is not applied: {final} already exists in the state"
            final = original
        resource = config.resource(final)
        if resource is not None and resource.keys is not None:
            if final.key == 0 and resource.keys == (None,) and final.with_key(None) not in in_state:
                final = final.with_key(None)        # Terraform's implied move x[0] -> x
            elif final.key is None and 0 in resource.keys and final.with_key(0) not in in_state:
                final = final.with_key(0)           # and x -> x[0]
        landings.append(Landing(original, final, blocked))
    return landings
