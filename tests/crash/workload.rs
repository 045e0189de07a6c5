//! The clients: customers checking out (explicit items, from the cart, retrying and replaying
//! `Idempotency-Key`s) and staff adjusting stock, each remembering what the server acknowledged.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use rand::{seq::SliceRandom, Rng};
use rand_chacha::ChaCha8Rng;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// One round: the server it talks to and what the driver and the clients share.
pub struct Round {
    pub number: usize,
    pub address: String,
    pub client: reqwest::Client,
    /// Set by the driver just before the SIGKILL: a request failing after it was cut by the kill.
    pub killed: AtomicBool,
    /// Orders answered `201` in this round (the driver waits for the first before it kills).
    pub orders: AtomicUsize,
    pub adjustments: AtomicUsize,
    /// Requests that had reached the server and got no answer because it was killed.
    pub interrupted: AtomicUsize,
}

impl Round {
    pub fn new(number: usize, address: String) -> Arc<Round> {
        Arc::new(Round {
            number,
            address,
            // A client per round: the pooled connections of the killed server are gone.
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            killed: AtomicBool::new(false),
            orders: AtomicUsize::new(0),
            adjustments: AtomicUsize::new(0),
            interrupted: AtomicUsize::new(0),
        })
    }

    fn killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &Value,
        key: Option<&str>,
    ) -> reqwest::Result<(StatusCode, bool, Value)> {
        let mut request = self
            .client
            .request(method, format!("{}/api/v1/{path}", self.address))
            .bearer_auth(token)
            .json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await?;
        let status = response.status();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        let text = response.text().await?;
        Ok((
            status,
            replayed,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }
}

/// What a request that got no answer means.
#[derive(PartialEq)]
enum NoAnswer {
    /// It had reached the server, which was killed before answering.
    Cut,
    /// It was sent after the kill: the server was already gone.
    Gone,
    /// The server is up: a failure nothing explains (counted; the request is sent again).
    Retry,
}

/// How a client counts requests that got no answer.
#[derive(Debug, Default)]
pub struct Errors {
    /// Errors while the server was up: none are expected.
    pub unexpected: Vec<String>,
}

impl Errors {
    /// Classifies a failed request: after the kill, one that had connected was cut in flight.
    fn no_answer(&mut self, round: &Round, error: &reqwest::Error, what: &str) -> NoAnswer {
        if round.killed() {
            if error.is_connect() {
                return NoAnswer::Gone;
            }
            round.interrupted.fetch_add(1, Ordering::SeqCst);
            NoAnswer::Cut
        } else {
            self.unexpected
                .push(format!("round {}: {what}: {error}", round.number));
            NoAnswer::Retry
        }
    }
}

/// A product the clients buy, with the stock it was created with.
#[derive(Clone, Copy, Debug)]
pub struct Product {
    pub id: i64,
    pub initial_stock: i64,
}

/// What became of one `Idempotency-Key`.
#[derive(Debug)]
pub enum Outcome {
    /// Sent, never answered (yet).
    Unknown,
    /// Answered `201` with this order.
    Placed(Value),
    /// Answered `400`/`409`: the key must have no order.
    Refused(String),
}

/// One `Idempotency-Key` and the body sent with it (a retry sends both again).
#[derive(Debug)]
pub struct KeyUse {
    pub key: String,
    body: Value,
    pub from_cart: bool,
    pub outcome: Outcome,
    /// Attempts with this key cut by a kill.
    pub interrupted: usize,
    /// The `201` came as a replay of an attempt that a kill had cut (it had committed).
    pub replayed_after_kill: bool,
}

/// A customer: every key it sent, and the one to retry before anything else.
pub struct Customer {
    pub user_id: i64,
    token: String,
    rng: ChaCha8Rng,
    products: Vec<Product>,
    pub keys: Vec<KeyUse>,
    /// Index into `keys` of a checkout that got no answer.
    pub pending: Option<usize>,
    pub errors: Errors,
    /// Replays of answered keys that returned the same order.
    pub replays: usize,
    pub violations: Vec<String>,
}

impl Customer {
    pub fn new(user_id: i64, token: String, rng: ChaCha8Rng, products: Vec<Product>) -> Self {
        Customer {
            user_id,
            token,
            rng,
            products,
            keys: Vec::new(),
            pending: None,
            errors: Errors::default(),
            replays: 0,
            violations: Vec::new(),
        }
    }

    /// Checks out until the round's server is killed: first the retry of an unanswered key, then
    /// a mix of item orders, cart orders and replays of answered keys.
    pub async fn run(mut self, round: Arc<Round>) -> Self {
        while !round.killed() {
            let index = match self.pending.take() {
                Some(index) => index,
                None => match self.rng.gen_range(0..10) {
                    0 | 1 if self.placed_count() > 0 => {
                        if self.replay(&round).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    2..=4 => match self.fill_cart(&round).await {
                        Ok(()) => self.new_key(true),
                        Err(()) => break,
                    },
                    _ => self.new_key(false),
                },
            };
            if self.checkout(&round, index).await.is_err() {
                break;
            }
        }
        self
    }

    /// Retries the unanswered key (after a restart) until it is answered.
    pub async fn resolve(&mut self, round: &Round) {
        for _ in 0..20 {
            let Some(index) = self.pending.take() else {
                return;
            };
            let _ = self.checkout(round, index).await;
        }
    }

    fn placed_count(&self) -> usize {
        self.keys
            .iter()
            .filter(|k| matches!(k.outcome, Outcome::Placed(_)))
            .count()
    }

    fn new_key(&mut self, from_cart: bool) -> usize {
        let key = uuid::Uuid::new_v4().to_string();
        // The key is also the order's notes: an order can be traced to its key without the
        // key table, so a doubled order would show even if that table were wrong.
        let body = if from_cart {
            json!({"notes": key})
        } else {
            let lines = self.rng.gen_range(1..=3);
            let products: Vec<i64> = self
                .products
                .choose_multiple(&mut self.rng, lines)
                .map(|p| p.id)
                .collect();
            let items: Vec<Value> = products
                .into_iter()
                .map(|id| json!({"product_id": id, "quantity": self.rng.gen_range(1..=3)}))
                .collect();
            json!({"items": items, "notes": key})
        };
        self.keys.push(KeyUse {
            key,
            body,
            from_cart,
            outcome: Outcome::Unknown,
            interrupted: 0,
            replayed_after_kill: false,
        });
        self.keys.len() - 1
    }

    /// Adds one or two products to the cart (a refused add, out of stock, is skipped).
    async fn fill_cart(&mut self, round: &Round) -> Result<(), ()> {
        for _ in 0..self.rng.gen_range(1..=2) {
            let product = self.products.choose(&mut self.rng).unwrap().id;
            let body = json!({"product_id": product, "quantity": self.rng.gen_range(1..=2)});
            match round
                .send(Method::POST, "cart/add/", &self.token, &body, None)
                .await
            {
                // 400: not that many left; 503: the writer queue was full (both leave no row).
                Ok((status, _, _)) if status.is_success() || status == 400 || status == 503 => {}
                Ok((status, _, body)) => self.violations.push(format!(
                    "round {}: cart add answered {status}: {body}",
                    round.number
                )),
                Err(error) => {
                    if self.errors.no_answer(round, &error, "cart add") != NoAnswer::Retry {
                        return Err(());
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends the checkout of `keys[index]`; `Err` when the server is gone.
    async fn checkout(&mut self, round: &Round, index: usize) -> Result<(), ()> {
        let (key, body) = (self.keys[index].key.clone(), self.keys[index].body.clone());
        let sent = round
            .send(Method::POST, "orders/", &self.token, &body, Some(&key))
            .await;
        let entry = &mut self.keys[index];
        match sent {
            Ok((StatusCode::CREATED, replayed, order)) => {
                entry.replayed_after_kill = replayed && entry.interrupted > 0;
                entry.outcome = Outcome::Placed(order);
                round.orders.fetch_add(1, Ordering::SeqCst);
            }
            Ok((status, _, answer))
                if status == 400 || (status == 409 && answer["code"] == "insufficient_stock") =>
            {
                entry.outcome = Outcome::Refused(format!("{status} {answer}"));
                // A cart holding more than is left would be refused again and again.
                if entry.from_cart {
                    let _ = round
                        .send(Method::DELETE, "cart/clear/", &self.token, &json!({}), None)
                        .await;
                }
            }
            Ok((StatusCode::SERVICE_UNAVAILABLE, _, _)) => self.pending = Some(index),
            Ok((status, _, answer)) => self.violations.push(format!(
                "round {}: checkout with key {key} answered {status}: {answer}",
                round.number
            )),
            Err(error) => {
                self.pending = Some(index);
                match self.errors.no_answer(round, &error, "checkout") {
                    NoAnswer::Retry => {}
                    NoAnswer::Cut => {
                        entry.interrupted += 1;
                        return Err(());
                    }
                    NoAnswer::Gone => return Err(()),
                }
            }
        }
        Ok(())
    }

    /// Sends an answered key again: the same order must come back, marked as a replay.
    async fn replay(&mut self, round: &Round) -> Result<(), ()> {
        let placed: Vec<usize> = (0..self.keys.len())
            .filter(|&i| matches!(self.keys[i].outcome, Outcome::Placed(_)))
            .collect();
        let index = *placed.choose(&mut self.rng).unwrap();
        self.replay_key(round, index).await
    }

    /// Replays `keys[index]`, which was answered `201`.
    pub async fn replay_key(&mut self, round: &Round, index: usize) -> Result<(), ()> {
        let entry = &self.keys[index];
        let Outcome::Placed(order) = &entry.outcome else {
            return Ok(());
        };
        match round
            .send(
                Method::POST,
                "orders/",
                &self.token,
                &entry.body,
                Some(&entry.key),
            )
            .await
        {
            Ok((StatusCode::CREATED, true, again)) if again["id"] == order["id"] => {
                self.replays += 1;
            }
            Ok((StatusCode::SERVICE_UNAVAILABLE, _, _)) => {}
            Ok((status, replayed, again)) => self.violations.push(format!(
                "round {}: replay of key {} (order {}) answered {status} with order {} \
                 (replayed: {replayed}) {}",
                round.number, entry.key, order["id"], again["id"], again["code"]
            )),
            Err(error) => {
                if self.errors.no_answer(round, &error, "replay") != NoAnswer::Retry {
                    return Err(());
                }
            }
        }
        Ok(())
    }
}

/// One stock adjustment as sent; `movement` is the id the server answered with.
#[derive(Debug)]
pub struct Adjustment {
    pub product: i64,
    pub delta: i64,
    pub reason: String,
    pub movement: Option<i64>,
    /// Sent without an answer (cut by a kill): it may or may not have been recorded.
    pub cut: bool,
}

/// A staff member adjusting stock with `POST products/{id}/stock/`.
pub struct Staff {
    pub number: usize,
    token: String,
    rng: ChaCha8Rng,
    products: Vec<Product>,
    /// Every adjustment sent; those without a movement id got no answer (or a refusal).
    pub adjustments: Vec<Adjustment>,
    pub errors: Errors,
    pub violations: Vec<String>,
}

impl Staff {
    pub fn new(number: usize, token: String, rng: ChaCha8Rng, products: Vec<Product>) -> Self {
        Staff {
            number,
            token,
            rng,
            products,
            adjustments: Vec::new(),
            errors: Errors::default(),
            violations: Vec::new(),
        }
    }

    /// Adjusts stock (mostly up, sometimes down) until the round's server is killed. Each
    /// adjustment has a reason of its own, so the books can tell which ones were recorded.
    pub async fn run(mut self, round: Arc<Round>) -> Self {
        while !round.killed() {
            let product = self.products.choose(&mut self.rng).unwrap().id;
            let delta = match self.rng.gen_range(-4..=12) {
                0 => 1,
                delta => delta,
            };
            let reason = format!(
                "crash test: round {} staff {} adjustment {}",
                round.number,
                self.number,
                self.adjustments.len()
            );
            let body = json!({"delta": delta, "reason": reason});
            let sent = round
                .send(
                    Method::POST,
                    &format!("products/{product}/stock/"),
                    &self.token,
                    &body,
                    None,
                )
                .await;
            let mut adjustment = Adjustment {
                product,
                delta,
                reason,
                movement: None,
                cut: false,
            };
            let mut stop = false;
            match sent {
                Ok((StatusCode::CREATED, _, movement)) => {
                    adjustment.movement = movement["id"].as_i64();
                    round.adjustments.fetch_add(1, Ordering::SeqCst);
                }
                Ok((status, _, answer))
                    if status == 503
                        || (status == 409 && answer["code"] == "insufficient_stock") => {}
                Ok((status, _, answer)) => self.violations.push(format!(
                    "round {}: stock adjustment answered {status}: {answer}",
                    round.number
                )),
                Err(error) => {
                    let failure = self.errors.no_answer(&round, &error, "stock adjustment");
                    adjustment.cut = failure != NoAnswer::Gone;
                    stop = failure != NoAnswer::Retry;
                }
            }
            self.adjustments.push(adjustment);
            if stop {
                break;
            }
            tokio::time::sleep(Duration::from_millis(self.rng.gen_range(5..25))).await;
        }
        self
    }
}
