//! What `/metrics` shows Prometheus: facts per category, inserts, events,
//! rounds, insert latency, and requests by route and status.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use fold_runtime::plan::Plan;

use crate::view::Snapshot;

/// The service's metrics, registered once.
pub struct Metrics {
    registry: Registry,
    facts: IntGaugeVec,
    events: IntGauge,
    rounds: IntGauge,
    pub inserts: IntCounter,
    pub insert_seconds: Histogram,
    pub requests: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let facts = IntGaugeVec::new(
            Opts::new("fold_facts", "Current facts per category"),
            &["category"],
        )?;
        let events = IntGauge::new("fold_events_total", "Events the rules ran, all runs")?;
        let rounds = IntGauge::new("fold_rounds_total", "Rounds run, all runs")?;
        let inserts = IntCounter::new("fold_inserts_total", "Inserts committed by this service")?;
        let insert_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "fold_insert_seconds",
                "Time from taking an insert to its commit",
            )
            .buckets(prometheus::exponential_buckets(0.001, 2.0, 16)?),
        )?;
        let requests = IntCounterVec::new(
            Opts::new(
                "fold_http_requests_total",
                "HTTP requests by route and status",
            ),
            &["route", "status"],
        )?;
        registry.register(Box::new(facts.clone()))?;
        registry.register(Box::new(events.clone()))?;
        registry.register(Box::new(rounds.clone()))?;
        registry.register(Box::new(inserts.clone()))?;
        registry.register(Box::new(insert_seconds.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        Ok(Metrics {
            registry,
            facts,
            events,
            rounds,
            inserts,
            insert_seconds,
            requests,
        })
    }

    /// Gauges set to a newly published snapshot.
    pub fn committed(&self, plan: &Plan, snapshot: &Snapshot) {
        for (cat, view) in plan.categories.iter().zip(&snapshot.cats) {
            self.facts
                .with_label_values(&[cat.name.as_str()])
                .set(view.live as i64);
        }
        self.events.set(snapshot.events as i64);
        self.rounds.set(snapshot.rounds as i64);
        if snapshot.commit > 0 {
            self.inserts.inc();
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
