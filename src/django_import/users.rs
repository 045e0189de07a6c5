//! Django users and addresses → `users`, `addresses`.

use std::collections::HashMap;

use super::{report::Report, source::Source, values::micros, Kept, Rows, UNREADABLE_DATE};
use crate::db::{now_micros, Flag, Param};

const USERS: &str = "users_user";
const ADDRESSES: &str = "users_address";

/// The Django hasher whose hashes Nexus verifies (and re-hashes at the first sign-in).
const PBKDF2_SHA256: &str = "pbkdf2_sha256$";

#[derive(Debug, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub password: String,
    pub last_login: Option<String>,
    pub is_superuser: Flag,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub is_staff: Flag,
    pub is_active: Flag,
    pub date_joined: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Address {
    pub id: i64,
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub address_line_1: String,
    pub address_line_2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub phone_number: String,
    pub is_default: Flag,
}

/// Reads and plans users, then addresses.
pub async fn import(
    source: &mut Source,
    kept: &mut Kept,
    report: &mut Report,
) -> anyhow::Result<Vec<Rows>> {
    let users: Vec<User> = source
        .read(
            USERS,
            "SELECT id, password, CAST(last_login AS TEXT) AS last_login, \
             CASE WHEN is_superuser THEN 1 ELSE 0 END AS is_superuser, username, first_name, \
             last_name, email, CASE WHEN is_staff THEN 1 ELSE 0 END AS is_staff, \
             CASE WHEN is_active THEN 1 ELSE 0 END AS is_active, \
             CAST(date_joined AS TEXT) AS date_joined FROM users_user ORDER BY id",
        )
        .await?;
    let addresses: Vec<Address> = source
        .read(
            ADDRESSES,
            "SELECT id, user_id, first_name, last_name, address_line_1, address_line_2, city, \
             postal_code, country, phone_number, CASE WHEN is_default THEN 1 ELSE 0 END AS is_default \
             FROM users_address ORDER BY id",
        )
        .await?;
    Ok(vec![
        plan_users(users, kept, report),
        plan_addresses(addresses, kept, report, now_micros()),
    ])
}

/// Nexus' role for Django's two flags.
fn role(user: &User) -> &'static str {
    if user.is_superuser.0 {
        "admin"
    } else if user.is_staff.0 {
        "staff"
    } else {
        "customer"
    }
}

/// The hash to store: a `pbkdf2_sha256` hash as it is; anything else becomes unusable (`!` and
/// the hasher's name, for whoever answers the support ticket), with the reason it must be reset.
fn password_hash(django: &str) -> (String, Option<String>) {
    if django.starts_with(PBKDF2_SHA256) {
        return (django.to_owned(), None);
    }
    if django.is_empty() || django.starts_with('!') {
        return (
            "!".to_owned(),
            Some("password must be reset: unusable in Django".into()),
        );
    }
    let hasher = django.split('$').next().unwrap_or_default();
    (
        format!("!{hasher}"),
        Some(format!(
            "password must be reset: made by Django's {hasher} hasher"
        )),
    )
}

pub fn plan_users(users: Vec<User>, kept: &mut Kept, report: &mut Report) -> Rows {
    report.read(USERS, users.len());
    let mut emails: HashMap<String, i64> = HashMap::with_capacity(users.len());
    let mut resets: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(users.len());
    for user in users {
        let email = user.email.trim();
        if email.is_empty() {
            report.skip(USERS, user.id, "no email address");
            continue;
        }
        // Nexus' unique index is on LOWER(email); Django's is case-sensitive.
        if emails.insert(email.to_lowercase(), user.id).is_some() {
            report.skip(
                USERS,
                user.id,
                "email already used by another user (case-insensitively)",
            );
            continue;
        }
        let Some(date_joined) = micros(&user.date_joined) else {
            report.skip(USERS, user.id, UNREADABLE_DATE);
            continue;
        };
        let (hash, reset) = password_hash(&user.password);
        if let Some(reset) = reset {
            *resets.entry(reset).or_default() += 1;
        }
        kept.users.insert(user.id);
        rows.push(vec![
            Param::Int(user.id),
            Param::Text(email.to_owned()),
            Param::Text(user.username.clone()),
            Param::Text(hash),
            Param::Text(user.first_name.clone()),
            Param::Text(user.last_name.clone()),
            Param::from(role(&user)),
            Param::Bool(user.is_active.0),
            Param::Int(date_joined),
            Param::from(user.last_login.as_deref().and_then(micros)),
        ]);
    }
    let mut resets: Vec<_> = resets.into_iter().collect();
    resets.sort();
    for (what, n) in resets {
        report.adjust(USERS, what, n);
    }
    report.written(USERS, rows.len());
    Rows {
        table: "users",
        columns: &[
            "id",
            "email",
            "username",
            "password_hash",
            "first_name",
            "last_name",
            "role",
            "is_active",
            "date_joined",
            "last_login",
        ],
        rows,
    }
}

/// Addresses of imported users with every required field; of a user's several defaults the
/// newest stays default. `now` is their `created_at` (Django kept none).
pub fn plan_addresses(addresses: Vec<Address>, kept: &Kept, report: &mut Report, now: i64) -> Rows {
    report.read(ADDRESSES, addresses.len());
    let mut usable = Vec::with_capacity(addresses.len());
    for address in addresses {
        let required = [
            &address.first_name,
            &address.last_name,
            &address.address_line_1,
            &address.city,
            &address.postal_code,
            &address.country,
        ];
        if !kept.users.contains(&address.user_id) {
            report.skip(ADDRESSES, address.id, "its user was not imported");
        } else if required.iter().any(|field| field.trim().is_empty()) {
            report.skip(ADDRESSES, address.id, "a required field is empty");
        } else {
            usable.push(address);
        }
    }
    let mut default_of: HashMap<i64, i64> = HashMap::new();
    for address in usable.iter().filter(|a| a.is_default.0) {
        let newest = default_of.entry(address.user_id).or_insert(address.id);
        *newest = (*newest).max(address.id);
    }
    let mut cleared = 0;
    let rows: Vec<Vec<Param>> = usable
        .into_iter()
        .map(|address| {
            let is_default = default_of.get(&address.user_id) == Some(&address.id);
            if address.is_default.0 && !is_default {
                cleared += 1;
            }
            vec![
                Param::Int(address.id),
                Param::Int(address.user_id),
                Param::Text(address.first_name),
                Param::Text(address.last_name),
                Param::Text(address.address_line_1),
                Param::Text(address.address_line_2),
                Param::Text(address.city),
                Param::Text(address.postal_code),
                Param::Text(address.country),
                Param::Text(address.phone_number),
                Param::Bool(is_default),
                Param::Int(now),
            ]
        })
        .collect();
    report.adjust(
        ADDRESSES,
        "no longer default (the user's newer default stays)",
        cleared,
    );
    report.written(ADDRESSES, rows.len());
    Rows {
        table: "addresses",
        columns: &[
            "id",
            "user_id",
            "first_name",
            "last_name",
            "address_line_1",
            "address_line_2",
            "city",
            "postal_code",
            "country",
            "phone_number",
            "is_default",
            "created_at",
        ],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, email: &str, password: &str) -> User {
        User {
            id,
            password: password.into(),
            last_login: None,
            is_superuser: Flag(false),
            username: format!("user{id}"),
            first_name: String::new(),
            last_name: String::new(),
            email: email.into(),
            is_staff: Flag(false),
            is_active: Flag(true),
            date_joined: "2024-01-02 03:04:05".into(),
        }
    }

    #[test]
    fn emails_that_differ_only_in_case_keep_the_lower_id() {
        let (mut kept, mut report) = (Kept::default(), Report::default());
        let rows = plan_users(
            vec![
                user(3, "Ann@x.test", "!"),
                user(9, "ann@x.test", "!"),
                user(12, " ", "!"),
            ],
            &mut kept,
            &mut report,
        );
        assert_eq!(rows.rows.len(), 1);
        assert!(kept.users.contains(&3));
        let reason = "email already used by another user (case-insensitively)";
        assert_eq!(report.skipped_ids(USERS, reason), [9]);
        assert_eq!(report.skipped_ids(USERS, "no email address"), [12]);
    }

    #[test]
    fn only_pbkdf2_hashes_are_kept_the_rest_must_be_reset() {
        let django = "pbkdf2_sha256$600000$salt$aGFzaA==";
        assert_eq!(password_hash(django), (django.to_owned(), None));
        assert_eq!(password_hash("!Xyz").0, "!");
        assert_eq!(password_hash("").0, "!");
        let (hash, reason) = password_hash("bcrypt_sha256$$2b$12$abc");
        assert_eq!(hash, "!bcrypt_sha256");
        assert!(reason.unwrap().contains("bcrypt_sha256"));
    }

    #[test]
    fn of_several_default_addresses_the_newest_stays_default() {
        let mut kept = Kept::default();
        kept.users.insert(1);
        let address = |id, user_id, city: &str, is_default| Address {
            id,
            user_id,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            address_line_1: "1 Main St".into(),
            address_line_2: String::new(),
            city: city.into(),
            postal_code: "123".into(),
            country: "FR".into(),
            phone_number: String::new(),
            is_default: Flag(is_default),
        };
        let mut report = Report::default();
        let rows = plan_addresses(
            vec![
                address(4, 1, "Lyon", true),
                address(6, 1, "Nice", true),
                address(7, 1, " ", true),
                address(8, 2, "Metz", false),
            ],
            &kept,
            &mut report,
            0,
        );
        let defaults: Vec<(Param, Param)> = rows
            .rows
            .iter()
            .map(|r| (r[0].clone(), r[10].clone()))
            .collect();
        assert_eq!(
            defaults,
            [
                (Param::Int(4), Param::Bool(false)),
                (Param::Int(6), Param::Bool(true))
            ]
        );
        assert_eq!(
            report.skipped_ids(ADDRESSES, "a required field is empty"),
            [7]
        );
        assert_eq!(
            report.skipped_ids(ADDRESSES, "its user was not imported"),
            [8]
        );
    }

    #[test]
    fn superusers_are_admins_and_staff_are_staff() {
        let mut admin = user(1, "a@x.test", "!");
        admin.is_superuser = Flag(true);
        admin.is_staff = Flag(true);
        let mut staff = user(2, "s@x.test", "!");
        staff.is_staff = Flag(true);
        assert_eq!(role(&admin), "admin");
        assert_eq!(role(&staff), "staff");
        assert_eq!(role(&user(3, "c@x.test", "!")), "customer");
    }
}
