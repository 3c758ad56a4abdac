"""Filter keys: what the proposal list's filters and facets select on, written on the proposal row itself.

A proposal's keys say, in one space-padded string (``Proposal.filter_keys``), every value of every filter
it matches, sorted: ``t:<theme id>``, ``b:<body code>`` (the capacity of each authorship), ``r:<region id>`` for
every region of every author under the region rule of proposals.regions *and every region above it*
(``r:none`` when no author belongs to a region), ``d:<delegate id>``, ``o:<organisation id>`` (positions of
the authors), ``k:<kind>`` and ``y:<year>``. On PostgreSQL a generated ``tsvector`` column over them is
GIN-indexed (migration 0008): a filter is one index condition that combines with the search's, and the
facets of a selection are counted from the keys of its rows, without a join.

Keys are derived data, like the search columns: proposals.changes refreshes them in the same transaction
as every write that changes them (a theme added, an authorship, a delegate's seat or position, a region
moved, a theme deleted); ``reindex_proposals`` and the loaders write them too, and ``check_integrity``
verifies them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import connections, router
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

THEME, BODY, REGION, DELEGATE, ORGANISATION, KIND, YEAR = "t", "b", "r", "d", "o", "k", "y"
NO_REGION = "r:none"
FILTER_VECTOR_SQL = "filter_vector"


def key(prefix: str, value: object) -> str:
    return f"{prefix}:{value}"


def keys_for(ids: Iterable[int], *, apps=None) -> dict[int, str]:
    """{proposal id: its space-padded keys} for these proposals (a fixed number of queries)."""
    get = apps.get_model if apps is not None else _model
    Proposal, Authorship = get("proposals", "Proposal"), get("proposals", "Authorship")
    ids = list(ids)
    if not ids:
        return {}
    rows = Proposal.objects.filter(pk__in=ids).values_list("pk", "kind", "year")
    parts: dict[int, dict] = {
        pk: {"kind": k, "year": y, "themes": [], "bodies": [], "delegates": []} for pk, k, y in rows
    }
    through = Proposal.themes.through
    for pk, theme_id in through.objects.filter(proposal_id__in=ids).values_list("proposal_id", "theme_id"):
        parts[pk]["themes"].append(theme_id)
    for pk, delegate_id, body in Authorship.objects.filter(proposal_id__in=ids).values_list(
        "proposal_id", "delegate_id", "membership__body"
    ):
        parts[pk]["delegates"].append(delegate_id)
        if body:
            parts[pk]["bodies"].append(body)
    people = delegate_keys({d for p in parts.values() for d in p["delegates"]}, apps=apps)
    return {
        pk: assemble(p["kind"], p["year"], p["themes"], p["bodies"], [people[d] for d in p["delegates"]])
        for pk, p in parts.items()
    }


def assemble(
    kind: str, year: int, theme_ids: Iterable[int], bodies: Iterable[str], authors: Iterable[Iterable[str]]
) -> str:
    """A proposal's keys from its own columns, its themes, the bodies of its authorships' capacities and
    its authors' keys (``delegate_keys``)."""
    keys = {key(KIND, kind), key(YEAR, year)}
    keys.update(key(THEME, t) for t in theme_ids)
    keys.update(key(BODY, b) for b in bodies)
    for author in authors:
        keys.update(author)
    if not any(k.startswith("r:") for k in keys):
        keys.add(NO_REGION)
    return f" {' '.join(sorted(keys))} "


def delegate_keys(delegate_ids: Iterable[int], *, apps=None) -> dict[int, frozenset[str]]:
    """{delegate id: the keys a proposal gets from this author}: ``d:``, ``o:`` of their positions, ``r:``
    of their regions under the region rule and every region above them (a fixed number of queries)."""
    get = apps.get_model if apps is not None else _model
    Membership, Position, Region = (get("proposals", n) for n in ("Membership", "Position", "Region"))
    delegate_ids = set(delegate_ids)
    seats: dict[int, set[int]] = defaultdict(set)
    for delegate_id, region_id in Membership.objects.filter(
        delegate_id__in=delegate_ids, region__isnull=False
    ).values_list("delegate_id", "region_id"):
        seats[delegate_id].add(region_id)
    organisations: dict[int, set[int]] = defaultdict(set)
    org_regions: dict[int, set[int]] = defaultdict(set)
    for delegate_id, organisation_id, region_id in Position.objects.filter(
        delegate_id__in=delegate_ids
    ).values_list("delegate_id", "organisation_id", "organisation__region_id"):
        organisations[delegate_id].add(organisation_id)
        if region_id is not None:
            org_regions[delegate_id].add(region_id)
    parents = dict(Region.objects.values_list("pk", "parent_id"))

    def with_ancestors(region_ids: set[int]) -> set[int]:
        out: set[int] = set()
        for start in region_ids:
            region_id: int | None = start
            while region_id is not None and region_id not in out:
                out.add(region_id)
                region_id = parents.get(region_id)
        return out

    out: dict[int, frozenset[str]] = {}
    for delegate_id in delegate_ids:
        # the region rule: a seat's region; without one, the regions of the delegate's organisations
        regions = with_ancestors(seats[delegate_id] or org_regions[delegate_id])
        out[delegate_id] = frozenset(
            [key(DELEGATE, delegate_id)]
            + [key(ORGANISATION, o) for o in organisations[delegate_id]]
            + [key(REGION, r) for r in regions]
        )
    return out


def _model(app_label: str, name: str):
    from django.apps import apps

    return apps.get_model(app_label, name)


def refresh(ids: Iterable[int], *, apps=None, chunk: int = 500) -> int:
    """Rewrite the keys of these proposals where they changed (derived data: no version, no timestamp).
    Returns how many rows were written."""
    Proposal = (apps.get_model if apps is not None else _model)("proposals", "Proposal")
    ids = sorted({i for i in ids if i is not None})
    written = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        fresh = keys_for(part, apps=apps)
        stored = dict(Proposal.objects.filter(pk__in=part).values_list("pk", "filter_keys"))
        stale = {pk: value for pk, value in fresh.items() if stored.get(pk) != value}
        if stale:
            _write(Proposal, stale)
            written += len(stale)
    return written


def _write(Proposal, keys: dict[int, str]) -> None:
    """One UPDATE for the lot (PostgreSQL: joined to two arrays; a CASE per row is quadratic)."""
    db = router.db_for_write(Proposal)
    if connections[db].vendor == "postgresql":
        with connections[db].cursor() as cursor:
            cursor.execute(
                f"UPDATE {Proposal._meta.db_table} p SET filter_keys = v.k "
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS k) v WHERE p.id = v.id",
                [list(keys), list(keys.values())],
            )
        return
    Proposal.objects.bulk_update(
        [Proposal(pk=pk, filter_keys=value) for pk, value in keys.items()], ["filter_keys"], batch_size=200
    )


def refresh_all(*, apps=None, chunk: int = 2000) -> int:
    Proposal = (apps.get_model if apps is not None else _model)("proposals", "Proposal")
    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    return refresh(ids, apps=apps, chunk=chunk)


def stale_ids(*, chunk: int = 2000) -> list[int]:
    """Proposals whose stored keys differ from what their records say (check_integrity)."""
    from proposals.models import Proposal

    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    out: list[int] = []
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        fresh = keys_for(part)
        stored = dict(Proposal.objects.filter(pk__in=part).values_list("pk", "filter_keys"))
        out.extend(pk for pk in part if stored.get(pk) != fresh.get(pk))
    return out


# --- reading ---------------------------------------------------------------------------------------------


class KeysCondition(RawSQL):
    """``filter_vector @@ tsquery`` (PostgreSQL). The newest-first index of published proposals includes
    ``filter_vector`` (migration 0010), so a walk of that index can test it without reading the row
    (proposals.recency); the search's tsvector holds the keys too (proposals.keyed_search)."""

    def __init__(self, tsquery: str) -> None:
        super().__init__(f"{FILTER_VECTOR_SQL} @@ %s::tsquery", [tsquery], output_field=BooleanField())


def keys_condition(keys: Iterable[str], vendor: str) -> Q:
    """Has any of these keys: the GIN index on PostgreSQL, LIKE on SQLite."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return Q(pk__in=[])
    if vendor == "postgresql":
        # keys are ASCII letters, digits, ':' and '-' (see key()): safe inside a quoted tsquery lexeme
        literal = " | ".join(f"'{k}'" for k in keys)
        return Q(KeysCondition(literal))
    either = Q()
    for k in keys:
        either |= Q(filter_keys__contains=f" {k} ")
    return either


def any_of(qs: QuerySet, keys: Iterable[str]) -> QuerySet:
    """The proposals of ``qs`` that have any of these keys (on PostgreSQL a ``KeysCondition``, which
    proposals.recency finds in the query to walk the keys in the index)."""
    keys = list(keys)
    if not keys:
        return qs.none()
    return qs.filter(keys_condition(keys, connections[qs.db].vendor))


def count_keys(qs: QuerySet, *, prefixes: Iterable[str] | None = None) -> Counter[str]:
    """How many proposals of ``qs`` have each key (optionally only keys of these prefixes)."""
    wanted = tuple(f"{p}:" for p in prefixes) if prefixes is not None else None
    ids = qs.order_by().values("pk")
    if connections[qs.db].vendor == "postgresql":
        from proposals.models import Proposal

        try:
            ids_sql, params = ids.query.sql_with_params()
        except Exception:  # EmptyResultSet: .none()
            return Counter()
        table = Proposal._meta.db_table
        only = ""
        if wanted:
            only = " AND (" + " OR ".join("k LIKE %s" for _ in wanted) + ")"
            params = (*params, *(f"{w}%" for w in wanted))
        sql = (
            f"SELECT k, COUNT(*) FROM {table} p, unnest(string_to_array(btrim(p.filter_keys), ' ')) k "
            f"WHERE p.id IN ({ids_sql}){only} GROUP BY k"
        )
        with connections[qs.db].cursor() as cursor:
            cursor.execute(sql, params)
            return Counter(dict(cursor.fetchall()))
    counter: Counter[str] = Counter()
    for value in qs.model.objects.filter(pk__in=ids).values_list("filter_keys", flat=True):
        counter.update(k for k in value.split() if wanted is None or k.startswith(wanted))
    return counter


def count_keys_of(ids: list[int], *, using: str = "default") -> Counter[str]:
    """Key counts of these proposals (a sample fetched already): one query, counted here."""
    from proposals.models import Proposal

    counter: Counter[str] = Counter()
    for value in Proposal.objects.using(using).filter(pk__in=ids).values_list("filter_keys", flat=True):
        counter.update(value.split())
    return counter


def values_of(counter: Counter[str], prefix: str) -> dict[str, int]:
    """{value: count} of one prefix's keys (the value as written after the colon)."""
    start = f"{prefix}:"
    return {k[len(start) :]: n for k, n in counter.items() if k.startswith(start)}


def to_int_keys(values: dict[str, int]) -> dict[int, int]:
    return {int(v): n for v, n in values.items() if v.isdigit()}


__all__ = ["any_of", "count_keys", "count_keys_of", "key", "keys_for", "refresh", "refresh_all", "stale_ids"]
