"""The order of the operations within a step, computed from what each declares.

Every operation has a stable name (``op.name``; an operation that sets none is
named after its class in snake case, ``MyProbe`` → ``"my_probe"``) and may
declare ``after`` and ``before``: a name or a set of names of operations it
must act after (before). A name also stands for its group: ``"tumour"`` means
every operation named ``"tumour.…"``. A declaration naming an operation this
run does not have (a feature the config leaves out) holds nothing; a name
that no operation class declares is an error, as is a cycle.

:func:`ordered` is a stable topological sort: among the operations free to
act next it takes the one earliest in the given list (the features' order of
:data:`alveosim.model.FEATURES`, then operations appended by the user), so a
list that already satisfies every declaration keeps its order exactly.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable

from alveosim.operations import Operation


class OrderError(ValueError):
    """The declarations cannot be satisfied (a cycle) or name an unknown operation."""


def op_name(op: Operation) -> str:
    """The operation's name: its own, else its class name in snake case."""
    return op.name or re.sub(r"(?<!^)(?=[A-Z])", "_", type(op).__name__).lower()


def names(declared: str | Iterable[str] | None) -> frozenset[str]:
    """A declaration (one name, several, or none) as a set of names."""
    if not declared:
        return frozenset()
    return frozenset({declared}) if isinstance(declared, str) else frozenset(declared)


def _matches(ref: str, name: str) -> bool:
    return name == ref or name.startswith(ref + ".")


def _class_names() -> set[str]:
    """The names every imported Operation class declares (present in this run or not)."""
    found, todo = set(), [Operation]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if isinstance(sub.__dict__.get("name"), str):
                found.add(sub.__dict__["name"])
    return found


def _check_known(ops: list[Operation], labels: list[str]) -> None:
    known = _class_names() | set(labels)
    for op, label in zip(ops, labels):
        for key in ("after", "before"):
            for ref in sorted(names(getattr(op, key))):
                if not any(_matches(ref, name) for name in known):
                    close = difflib.get_close_matches(ref, sorted(known), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    raise OrderError(f"operation {label!r} declares {key}={ref!r}, which names no operation{hint}")


def _edges(ops: list[Operation], labels: list[str]) -> list[set[int]]:
    """succ[i]: the indices that must act after operation i."""
    succ: list[set[int]] = [set() for _ in ops]
    for i, op in enumerate(ops):
        for ref in names(op.after):
            for j, name in enumerate(labels):
                if j != i and _matches(ref, name):
                    succ[j].add(i)
        for ref in names(op.before):
            succ[i].update(j for j, name in enumerate(labels) if j != i and _matches(ref, name))
    return succ


def _cycle(pred: list[set[int]], left: set[int]) -> list[int]:
    """One cycle among the operations ``left`` unsorted, in acting order.
    Each of them has a predecessor left, so walking predecessors loops."""
    path, seen = [], {}
    node = min(left)
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(j for j in pred[node] if j in left)
    loop = path[seen[node]:] + [node]
    return loop[::-1]


def ordered(ops: list[Operation]) -> list[Operation]:
    """``ops`` in an order satisfying every ``after``/``before``, otherwise
    in their given order; :class:`OrderError` (one line naming the
    operations) for a cycle or an unknown name."""
    labels = [op_name(op) for op in ops]
    _check_known(ops, labels)
    succ = _edges(ops, labels)
    indegree = [0] * len(ops)
    for targets in succ:
        for j in targets:
            indegree[j] += 1
    ready = [i for i, d in enumerate(indegree) if d == 0]
    heapq.heapify(ready)
    out: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        out.append(i)
        for j in succ[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(ready, j)
    if len(out) < len(ops):
        pred: list[set[int]] = [set() for _ in ops]
        for i, targets in enumerate(succ):
            for j in targets:
                pred[j].add(i)
        loop = " → ".join(labels[i] for i in _cycle(pred, set(range(len(ops))) - set(out)))
        raise OrderError(f"the operations' after/before declarations form a cycle: {loop}")
    return [ops[i] for i in out]


def describe_trigger(trigger) -> str:
    """A short text for a trigger (``every step``, ``every 10 steps``, else its repr)."""
    from alveosim.triggers import Always, Periodic, PhaseSteps

    if isinstance(trigger, Always):
        return "every step"
    if isinstance(trigger, Periodic):
        return f"every {trigger.every} steps" + (f" (offset {trigger.offset})" if trigger.offset else "")
    if isinstance(trigger, PhaseSteps):
        per = "/".join("-" if n is None else str(n) for n in trigger.every)
        return f"every {per} steps of each phase"
    return repr(trigger)


def step_lines(ops: list[Operation], clocks: Iterable[str]) -> list[str]:
    """The step order of ``ops`` (already ordered), one line per operation:
    for each clock in ``clocks`` the operations acting on it, then the
    writers (after each step's time advance)."""
    width = max((len(op_name(op)) for op in ops), default=0)

    def line(n: int, op: Operation) -> str:
        decl = [f"{key}={','.join(sorted(names(getattr(op, key))))}" for key in ("after", "before") if names(getattr(op, key))]
        clock = "+".join(sorted(op.clocks))
        return f"  {n:2d}. {op_name(op):<{width}}  {clock:<12}  {describe_trigger(op.trigger)}" + ("  " + " ".join(decl) if decl else "")

    out = []
    for clock in clocks:
        out.append(f"{clock} clock:")
        out += [line(n, op) for n, op in enumerate((op for op in ops if not op.writer and clock in op.clocks), 1)]
    out.append("writers (after each step's time advance):")
    out += [line(n, op) for n, op in enumerate((op for op in ops if op.writer), 1)]
    return out
