"""``--db URL``: put a study's photos into the history store, so a clinic's web app
and a study share one database (SQLite file or PostgreSQL).

Each (subject, visit) becomes one store visit (``taken_at`` = the manifest
date, ``condition`` = the manifest's condition, arm and visit label); further
captures are added as its repeat captures. Photos already in the store (same
subject, same content hash) are skipped, so a rerun adds nothing twice.

Each add analyzes its photo (the store only stores), so the adds run as Dask tasks
on the same cluster (capture 1 of every visit first, then the repeats, which
need their visit's id). For a multi-node cluster use a PostgreSQL URL: an
SQLite file must be on a disk every worker can lock.
"""

from __future__ import annotations

import datetime as _dt


def _add(url: str, kwargs: dict) -> dict:
    """Worker task: analyze one photo and store it (``Store.add_visit``); never raises."""
    try:
        from porescope.track import Store
        from porescope.track.photos import analyze_visit_photo

        kwargs = dict(kwargs)
        roi = kwargs.pop("roi")
        data, r = analyze_visit_photo(kwargs["photo"], roi=roi, px_per_mm=kwargs.pop("px_per_mm"), mode=kwargs.pop("mode"))
        with Store(url) as store:
            v = store.add_visit(**kwargs, analysis=r.analysis, skin_mask=r.regions.skin if roi is not None else None)
        return {"ok": True, "visit_id": v.id}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": (str(exc).splitlines() or [type(exc).__name__])[0]}


def _add_repeats(url: str, kwargs_list: list[dict]) -> list[dict]:
    """Worker task: a visit's repeat captures, one after the other (each takes the next capture number)."""
    return [_add(url, k) for k in kwargs_list]


def _existing(store, subjects) -> tuple[dict, set]:
    """(subject, taken_at date) -> visit id; and {(subject, photo sha256)} already stored."""
    visits, shas = {}, set()
    known = {s.name for s in store.subjects()}
    for subject in subjects:
        if subject not in known:
            continue
        for v in store.visits(subject):
            visits.setdefault((subject, v.taken_at.date(), v.condition.get("study_visit")), v.id)
            for a in store.analyses(v.id):
                if a.source.sha256:
                    shas.add((subject, a.source.sha256))
    return visits, shas


def store_rows(Store, url: str, rows, line_key, line_sha, ok_lines: set[int], *, client_factory, mode: str = "auto") -> dict:
    """Add every analyzed row to the store at ``url``; returns counts and errors."""
    from distributed import wait

    with Store(url) as store:
        existing_visits, stored = _existing(store, {r.subject for r in rows})
        shown_url = repr(store)
    groups: dict[tuple[str, str], list] = {}
    for r in rows:
        if r.line in ok_lines:
            groups.setdefault((r.subject, r.visit), []).append(r)
    todo_first, todo_repeat, skipped = [], [], 0
    for (subject, visit), rs in groups.items():
        rs = sorted(rs, key=lambda r: r.capture)
        vid = existing_visits.get((subject, rs[0].date, visit))
        first, rest = rs[0], rs[1:]
        if vid is None or (subject, line_sha[first.line]) not in stored:
            todo_first.append((first, rest))
        else:
            rest_todo = [r for r in rest if (subject, line_sha[r.line]) not in stored]
            skipped += 1 + len(rest) - len(rest_todo)
            todo_repeat.extend((vid, r) for r in rest_todo)
    errors, added = [], 0
    if not todo_first and not todo_repeat:
        return {"url": shown_url, "added": 0, "already_stored": skipped, "errors": []}

    def kwargs(r, repeat_of=None):
        return {"photo": str(r.image), "subject": r.subject,
                "taken_at": _dt.datetime.combine(r.date, _dt.time(12, 0)),
                "condition": {k: v for k, v in (("condition", r.condition), ("arm", r.arm), ("study_visit", r.visit)) if v},
                "roi": str(r.roi) if r.roi else None, "px_per_mm": r.px_per_mm, "mode": mode, "repeat_of": repeat_of}

    client, cluster = client_factory()
    try:
        futs = [(client.submit(_add, url, kwargs(first), pure=False), first, rest) for first, rest in todo_first]
        wait([f for f, _, _ in futs])
        for f, first, rest in futs:
            res = f.result()
            if res["ok"]:
                added += 1
                todo_repeat.extend((res["visit_id"], r) for r in rest if (r.subject, line_sha[r.line]) not in stored)
            else:
                errors.append({"line": first.line, "error": res["error"]})
        per_visit: dict[int, list] = {}
        for vid, r in todo_repeat:
            per_visit.setdefault(vid, []).append(r)
        futs2 = [(client.submit(_add_repeats, url, [kwargs(r, vid) for r in rs], pure=False), rs) for vid, rs in per_visit.items()]
        wait([f for f, _ in futs2])
        for f, rs in futs2:
            for res, r in zip(f.result(), rs):
                if res["ok"]:
                    added += 1
                else:
                    errors.append({"line": r.line, "error": res["error"]})
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {"url": shown_url, "added": added, "already_stored": skipped, "errors": errors}

