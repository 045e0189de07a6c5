//! Demo customers.

use std::collections::HashMap;

use rand::{seq::SliceRandom, Rng};
use rand_chacha::ChaCha8Rng;
use sqlx::AnyConnection;

use super::{insert_rows, names, phase, DAY};
use crate::db::Param;

#[derive(Debug)]
pub struct User {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub date_joined: i64,
}

pub fn plan(rng: &mut ChaCha8Rng, users: usize, start: i64) -> Vec<User> {
    (0..users)
        .map(|i| {
            let first = *names::FIRST_NAMES.choose(rng).unwrap_or(&"Alex");
            let last = *names::LAST_NAMES.choose(rng).unwrap_or(&"Doe");
            // The index keeps usernames and emails unique; `demo` marks them as seeded.
            let handle = format!("{}.{}{}", slug::slugify(first), slug::slugify(last), i + 1);
            User {
                email: format!("{handle}@demo.example.com"),
                username: format!("demo.{handle}"),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                date_joined: start + rng.gen_range(0..60 * DAY),
            }
        })
        .collect()
}

/// Writes the users, all with the same password `hash`; returns their ids by plan index.
pub async fn write(
    conn: &mut AnyConnection,
    users: &[User],
    hash: &str,
) -> anyhow::Result<Vec<i64>> {
    let bar = phase("users", users.len() as u64);
    let rows = users
        .iter()
        .map(|u| {
            vec![
                Param::Text(u.email.clone()),
                Param::Text(u.username.clone()),
                Param::Text(hash.to_owned()),
                Param::Text(u.first_name.clone()),
                Param::Text(u.last_name.clone()),
                Param::Text("customer".to_owned()),
                Param::Bool(true),
                Param::Int(u.date_joined),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "users",
        &[
            "email",
            "username",
            "password_hash",
            "first_name",
            "last_name",
            "role",
            "is_active",
            "date_joined",
        ],
        rows,
        &bar,
    )
    .await?;
    bar.finish();
    let by_name: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT username, id FROM users WHERE username LIKE 'demo.%'",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    Ok(users.iter().map(|u| by_name[&u.username]).collect())
}
