"""HeaderCache: a cached parse equals the JSON parser's, for every shape."""

from __future__ import annotations

import json

import pytest

from dora._frame import HeaderCache, parse_header

D = ',"d":{"dt":"u8","len":8,"nulls":0,"off":0,"bufs":[null,[0,8]],"ch":[]}}'


def variants(ts):
    return [
        '{"t":"input","id":"in","m":{"ts":"%s"}%s' % (ts, D),
        '{"t":"input","id":"in","m":{"ts":"%s"}}' % ts,
        '{"t":"input","id":"in","m":{"ts":"%s","p":{"k":["int",1]}}%s' % (ts, D),
        '{"t":"input","id":"a\\"b","m":{"ts":"%s"}%s' % (ts, D),
        '{"t":"input","id":"in","m":{"ts":"%s"},"shm":{"name":"/x","size":64,"token":"%s"}%s'
        % (ts, ts, D),
        '{"t":"input","id":"in","m":{"ts":"%s"},"m":{"ts":"1"}%s' % (ts, D),
        '{"t":"input","id":"in","m":{"ts":"%s"},"x":"%s"%s' % (ts, ts, D),
        '{"t":"release","tokens":["%s"]}' % ts,
    ]


@pytest.mark.parametrize("compile", [None, lambda h: ("compiled", h["id"])])
def test_cached_parses_equal_the_json_parser(compile):
    cache = HeaderCache(compile)
    for ts in ["1763712000123456789", "1763712000123456790", "99", "1763712000123456791",
               "1763712000123456791"]:
        for raw in variants(ts):
            got = cache.parse(raw.encode())
            want = parse_header(raw.encode())
            if type(got) is tuple:
                (_, input_id), got_ts, template = got
                assert input_id == want["id"] and str(got_ts) == want["m"]["ts"]
                assert {**template, "m": {"ts": str(got_ts)}} == want
            else:
                assert got == want, raw


def test_cached_headers_are_fresh_dicts():
    cache = HeaderCache()
    raw = '{"t":"input","id":"in","m":{"ts":"%s"}%s'
    first = [cache.parse((raw % (ts, D)).encode()) for ts in ("10", "11", "12")]
    first[1]["m"]["ts"] = "changed"
    assert [h["m"]["ts"] for h in first] == ["10", "changed", "12"]
    assert json.dumps(first[0]["d"]) == json.dumps(first[2]["d"])
