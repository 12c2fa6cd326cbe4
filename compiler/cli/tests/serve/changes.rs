//! Subscriptions: a client follows a category's new facts, disconnects,
//! misses inserts, resumes from its last offset (across a restart of the
//! service, too) and has received every fact exactly once.

use std::collections::BTreeMap;

use serde_json::json;

use crate::client::{Events, Server};
use crate::{edges_csv, tc_dir};

/// Read `n` fact events; each offset and fact.
fn take(
    events: &mut Events,
    n: usize,
    got: &mut BTreeMap<u64, (i64, i64)>,
    dupes: &mut usize,
) -> u64 {
    let mut last = 0;
    let mut read = 0;
    while read < n {
        let e = events.next().expect("an event");
        if e.kind != "fact" {
            continue;
        }
        let data: serde_json::Value = serde_json::from_str(&e.data).expect("json");
        let offset = data["offset"].as_u64().expect("offset");
        assert_eq!(e.id, Some(offset));
        let fact = &data["fact"];
        let pair = (
            fact["src"].as_i64().expect("src"),
            fact["dst"].as_i64().expect("dst"),
        );
        if got.insert(offset, pair).is_some() {
            *dupes += 1;
        }
        last = offset;
        read += 1;
    }
    last
}

#[test]
fn a_subscriber_that_resumes_gets_every_fact_once() {
    let dir = tc_dir();
    let d = dir.path();
    let mut s = Server::start(d, "tc.fold", &[]);
    let insert = |s: &Server, edges: &[(i64, i64)]| {
        let r = s.post("/categories/edge/facts", "text/csv", &edges_csv(edges));
        assert_eq!(r.status, 200, "{}", r.body);
    };
    let mut got = BTreeMap::new();
    let mut dupes = 0;
    let mut connections = 0;
    // From the start: the one path there is, then an insert's five.
    let mut events = Events::open(s.port, "/categories/path/changes?after=0");
    connections += 1;
    insert(&s, &[(2, 3), (3, 4)]);
    // Gone after three of the six.
    let mut last = take(&mut events, 3, &mut got, &mut dupes);
    drop(events);
    insert(&s, &[(4, 5), (5, 6)]);
    // Resumed: the rest of the first insert and all of the second.
    let mut events = Events::open(s.port, &format!("/categories/path/changes?after={last}"));
    connections += 1;
    let total = s.json("/categories/path/count")["count"]
        .as_u64()
        .expect("count") as usize;
    last = take(&mut events, total - got.len(), &mut got, &mut dupes);
    drop(events);
    // A restart between: offsets mean the same facts afterwards.
    s.kill9();
    s = Server::start(d, "tc.fold", &[]);
    insert(&s, &[(6, 7)]);
    let mut events = Events::open(s.port, &format!("/categories/path/changes?after={last}"));
    connections += 1;
    let total = s.json("/categories/path/count")["count"]
        .as_u64()
        .expect("count") as usize;
    take(&mut events, total - got.len(), &mut got, &mut dupes);
    // Live: a commit made while subscribed arrives without asking.
    insert(&s, &[(7, 8)]);
    let total = s.json("/categories/path/count")["count"]
        .as_u64()
        .expect("count") as usize;
    take(&mut events, total - got.len(), &mut got, &mut dupes);
    assert_eq!(dupes, 0);
    let offsets: Vec<u64> = got.keys().copied().collect();
    assert_eq!(offsets, (1..=total as u64).collect::<Vec<_>>());
    let mut facts: Vec<(i64, i64)> = got.values().copied().collect();
    facts.sort();
    let mut expected = Vec::new();
    for a in 1..=8 {
        for b in a + 1..=8 {
            expected.push((a, b));
        }
    }
    assert_eq!(facts, expected);
    eprintln!(
        "subscription: {} facts received over {connections} connections and a restart, \
         {dupes} twice, none missing",
        got.len()
    );
    // An EventSource resumes with Last-Event-ID instead of `after`.
    let mut again = Events::open_with(
        s.port,
        "/categories/path/changes",
        &[("Last-Event-ID", "20")],
    );
    let e = again.next().expect("event");
    assert_eq!((e.kind.as_str(), e.id), ("fact", Some(21)));
    // A bad offset is refused; one past the end waits for new facts.
    assert_eq!(s.get("/categories/path/changes?after=-1").status, 400);
    assert_eq!(s.get("/categories/nope/changes").status, 404);
    assert_eq!(
        s.json("/categories")["categories"][1]["offset"],
        json!(total)
    );
}

#[test]
fn superseded_facts_are_announced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // Keyed: one price per item, the lowest kept.
    std::fs::write(
        d.join("p.fold"),
        "data price(item: str, cost: int) key(item) keep min(cost)\n",
    )
    .expect("write");
    let s = Server::start(d, "p.fold", &[]);
    let mut events = Events::open(s.port, "/categories/price/changes");
    let r = s.post(
        "/categories/price/facts",
        "application/json",
        r#"[{"item": "tea", "cost": 5}]"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let e = events.next().expect("fact");
    assert_eq!((e.kind.as_str(), e.id), ("fact", Some(1)), "{e:?}");
    let r = s.post(
        "/categories/price/facts",
        "application/json",
        r#"[{"item": "tea", "cost": 3}]"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["superseded"], 1, "{}", r.body);
    let mut kinds = Vec::new();
    for _ in 0..2 {
        let e = events.next().expect("event");
        kinds.push((e.kind.clone(), e.data.clone()));
    }
    kinds.sort();
    assert_eq!(kinds[0].0, "fact");
    assert!(kinds[0].1.contains("\"cost\":3"), "{kinds:?}");
    assert_eq!(
        kinds[1],
        ("superseded".to_string(), "{\"offset\":1}".to_string())
    );
    // A late subscriber sees the old fact marked superseded.
    let mut late = Events::open(s.port, "/categories/price/changes?after=0");
    let e = late.next().expect("fact");
    assert!(e.data.contains("\"superseded\":true"), "{e:?}");
}
