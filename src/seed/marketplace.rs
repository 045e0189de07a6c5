//! The demo marketplace (SPEC §3.12): service categories and skills, providers (some of the demo
//! users) with companies, their services, clients' requests with proposals, and the contracts the
//! awarded ones became, at every status, with appointments, comments and likes.
//!
//! Planned from its own generator (derived from `--seed`), so seeding the marketplace leaves the
//! catalogue, users and orders exactly what they were. The data keeps the invariants the API
//! keeps: one accepted proposal per awarded request and the others rejected, a status history
//! that follows the machine, comments only on completed contracts (one each), ratings, likes and
//! proposal counts equal to what they count, and no provider with overlapping confirmed
//! appointments.

use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::AnyConnection;

use super::{insert_rows, names, phase, DAY};
use crate::{
    db::{Backend, Param},
    marketplace::search_text::{self, Scope},
};

/// Mixed into `--seed` for the marketplace's own generator.
const STREAM: u64 = 0x6d61_726b_6574;

/// Service categories, each with its skills and service titles.
const CATEGORIES: [(&str, &[&str], &[&str]); 8] = [
    (
        "Design",
        &["Logo design", "Illustration", "UI design"],
        &[
            "Logo and brand identity",
            "App screen design",
            "Poster illustration",
        ],
    ),
    (
        "Development",
        &["Rust", "Python", "React"],
        &[
            "Web shop setup",
            "API integration",
            "Bug fixing by the hour",
        ],
    ),
    (
        "Writing",
        &["Copywriting", "Translation", "Proofreading"],
        &[
            "Product descriptions",
            "Blog articles",
            "Translation English to French",
        ],
    ),
    (
        "Marketing",
        &["SEO", "Social media", "Email campaigns"],
        &[
            "Search engine audit",
            "Social media month plan",
            "Newsletter design",
        ],
    ),
    (
        "Photography",
        &["Product photography", "Photo retouching"],
        &["Product photo shoot", "Catalogue retouching"],
    ),
    (
        "Home repair",
        &["Plumbing", "Electrical work", "Carpentry"],
        &["Leaking tap repair", "Lamp installation", "Shelf fitting"],
    ),
    (
        "Tutoring",
        &["Mathematics", "Languages"],
        &["Maths lessons", "Conversation practice"],
    ),
    (
        "Consulting",
        &["Accounting", "Business planning"],
        &["Bookkeeping set-up", "Business plan review"],
    ),
];

const COMPANY_NAMES: [&str; 6] = [
    "Bright Studio",
    "Northwind Works",
    "Harbour & Co",
    "Pixel Foundry",
    "Oak Street Crafts",
    "Summit Advisory",
];

const COMMENTS: [&str; 5] = [
    "Did not deliver what was agreed.",
    "Late, and it needed a second round.",
    "Fine work, as described.",
    "Good work and quick answers.",
    "Excellent, I will hire them again.",
];

/// How many providers, services and requests to seed.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub providers: usize,
    pub services: usize,
    pub requests: usize,
}

/// What was written, for the summary line.
#[derive(Debug, Default)]
pub struct Written {
    pub providers: usize,
    pub services: usize,
    pub requests: usize,
    pub proposals: usize,
    pub contracts: usize,
    pub appointments: usize,
}

/// Every table the marketplace seeds, in foreign-key order, with the columns its rows give.
const TABLES: [(&str, &[&str]); 13] = [
    (
        "service_categories",
        &["id", "name", "slug", "description", "created_at"],
    ),
    ("skills", &["id", "name", "slug", "created_at"]),
    (
        "companies",
        &[
            "id",
            "owner_id",
            "name",
            "description",
            "website",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "providers",
        &[
            "id",
            "user_id",
            "display_name",
            "bio",
            "company_id",
            "hourly_rate_cents",
            "is_verified",
            "created_at",
            "updated_at",
        ],
    ),
    ("provider_skills", &["provider_id", "skill_id"]),
    (
        "services",
        &[
            "id",
            "provider_id",
            "category_id",
            "title",
            "description",
            "price_from_cents",
            "price_unit",
            "duration_minutes",
            "is_active",
            "created_at",
            "updated_at",
        ],
    ),
    ("service_likes", &["service_id", "user_id", "created_at"]),
    (
        "service_requests",
        &[
            "id",
            "client_id",
            "category_id",
            "title",
            "description",
            "budget_min_cents",
            "budget_max_cents",
            "deadline",
            "status",
            "proposals_count",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "proposals",
        &[
            "id",
            "request_id",
            "provider_id",
            "service_id",
            "price_cents",
            "message",
            "estimated_days",
            "status",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "contracts",
        &[
            "id",
            "request_id",
            "proposal_id",
            "client_id",
            "provider_id",
            "price_cents",
            "status",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "contract_status_history",
        &[
            "contract_id",
            "from_status",
            "status",
            "note",
            "changed_by",
            "created_at",
        ],
    ),
    (
        "service_comments",
        &[
            "id",
            "service_id",
            "contract_id",
            "user_id",
            "rating",
            "comment",
            "created_at",
        ],
    ),
    (
        "appointments",
        &[
            "id",
            "contract_id",
            "provider_id",
            "proposed_by",
            "starts_at",
            "ends_at",
            "location",
            "status",
            "notes",
            "created_at",
            "updated_at",
        ],
    ),
];

/// The planned rows of each of [`TABLES`], by index, and what they add up to.
#[derive(Debug)]
struct Plan {
    rows: Vec<Vec<Vec<Param>>>,
    written: Written,
}

impl Plan {
    fn new() -> Self {
        Self {
            rows: vec![Vec::new(); TABLES.len()],
            written: Written::default(),
        }
    }

    /// The rows planned for `table` (one of [`TABLES`]).
    fn rows(&mut self, table: &str) -> &mut Vec<Vec<Param>> {
        let index = TABLES
            .iter()
            .position(|(name, _)| *name == table)
            .unwrap_or_else(|| panic!("{table} is not a marketplace table"));
        &mut self.rows[index]
    }
}

/// A UUID from the generator, so the same seed gives the same ids.
fn uuid(rng: &mut ChaCha8Rng) -> String {
    uuid::Builder::from_random_bytes(rng.gen())
        .into_uuid()
        .to_string()
}

fn slug(name: &str) -> String {
    slug::slugify(name)
}

/// A contract's path through the machine, ending at its final status.
fn contract_path(rng: &mut ChaCha8Rng) -> &'static [&'static str] {
    const PATHS: [&[&str]; 6] = [
        &["active"],
        &["active", "delivered"],
        &["active", "delivered", "completed"],
        &["active", "delivered", "completed"],
        &["active", "disputed"],
        &["active", "cancelled"],
    ];
    PATHS.choose(rng).copied().unwrap_or(&["active"])
}

/// Plans the marketplace over the seeded users (`users[i]` is user i's id; the first
/// `counts.providers` of them become providers).
fn plan(seed: u64, counts: Counts, users: &[i64], now: i64) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let mut plan = Plan::new();
    let start = now - 300 * DAY;
    let providers_wanted = counts.providers.min(users.len().saturating_sub(1));

    // Categories and skills; each skill remembers its category.
    let mut categories = Vec::new();
    let mut skills: Vec<(String, usize)> = Vec::new();
    for (index, (name, skill_names, _)) in CATEGORIES.iter().enumerate() {
        let id = uuid(&mut rng);
        plan.rows("service_categories").push(vec![
            id.clone().into(),
            (*name).into(),
            slug(name).into(),
            format!("{name} services from independent providers.").into(),
            start.into(),
        ]);
        categories.push(id);
        for skill in *skill_names {
            let skill_id = uuid(&mut rng);
            plan.rows("skills").push(vec![
                skill_id.clone().into(),
                (*skill).into(),
                slug(skill).into(),
                start.into(),
            ]);
            skills.push((skill_id, index));
        }
    }

    // Companies, owned by the first providers.
    let company_count = (providers_wanted / 5).min(COMPANY_NAMES.len());
    let mut companies = Vec::new();
    for (index, name) in COMPANY_NAMES.iter().take(company_count).enumerate() {
        let id = uuid(&mut rng);
        let created = start + rng.gen_range(0..30 * DAY);
        plan.rows("companies").push(vec![
            id.clone().into(),
            users[index].into(),
            (*name).into(),
            format!("{name} takes on projects of every size.").into(),
            format!("https://{}.example.com", slug(name)).into(),
            created.into(),
            created.into(),
        ]);
        companies.push(id);
    }

    // Providers: their main category, skills in it, maybe a company.
    let mut providers = Vec::new();
    for (index, user) in users.iter().take(providers_wanted).enumerate() {
        let id = uuid(&mut rng);
        let category = rng.gen_range(0..categories.len());
        let company = if index < companies.len() {
            Some(companies[index].clone())
        } else if !companies.is_empty() && rng.gen_bool(0.3) {
            companies.choose(&mut rng).cloned()
        } else {
            None
        };
        let first = names::FIRST_NAMES
            .choose(&mut rng)
            .copied()
            .unwrap_or("Alex");
        let created = start + rng.gen_range(0..60 * DAY);
        plan.rows("providers").push(vec![
            id.clone().into(),
            (*user).into(),
            format!("{first} — {}", CATEGORIES[category].0).into(),
            format!(
                "{} work, done carefully and on time.",
                CATEGORIES[category].0
            )
            .into(),
            company.into(),
            Param::Int(rng.gen_range(20..=150) * 100),
            rng.gen_bool(0.5).into(),
            created.into(),
            created.into(),
        ]);
        let mut own: Vec<&(String, usize)> =
            skills.iter().filter(|(_, c)| *c == category).collect();
        own.shuffle(&mut rng);
        for (skill, _) in own.into_iter().take(rng.gen_range(1..=3)) {
            plan.rows("provider_skills")
                .push(vec![id.clone().into(), skill.clone().into()]);
        }
        providers.push((id, *user, category));
    }
    plan.written.providers = providers.len();

    // Services, each of a provider, in the provider's category.
    let mut services: Vec<(String, usize, i64)> = Vec::new(); // (id, provider index, price)
    if !providers.is_empty() {
        for _ in 0..counts.services {
            let owner = rng.gen_range(0..providers.len());
            let category = providers[owner].2;
            let titles = CATEGORIES[category].2;
            let title = titles.choose(&mut rng).copied().unwrap_or("Service");
            let id = uuid(&mut rng);
            let unit = ["fixed", "hour", "day"]
                .choose(&mut rng)
                .copied()
                .unwrap_or("fixed");
            let price = rng.gen_range(2..=80) * 500;
            let created = start + rng.gen_range(60 * DAY..90 * DAY);
            plan.rows("services").push(vec![
                id.clone().into(),
                providers[owner].0.clone().into(),
                categories[category].clone().into(),
                title.into(),
                format!(
                    "{title}, by a {} professional.",
                    CATEGORIES[category].0.to_lowercase()
                )
                .into(),
                price.into(),
                unit.into(),
                Param::Int(rng.gen_range(1..=16) * 30),
                rng.gen_bool(0.95).into(),
                created.into(),
                created.into(),
            ]);
            services.push((id, owner, price));
        }
    }
    plan.written.services = services.len();

    // Likes: each non-provider user likes a few services.
    let mut likes = Vec::new();
    for user in users.iter().skip(providers.len()) {
        let mut picks: Vec<usize> = (0..services.len()).collect();
        picks.shuffle(&mut rng);
        for service in picks.into_iter().take(rng.gen_range(0..=3)) {
            likes.push(vec![
                services[service].0.clone().into(),
                (*user).into(),
                (now - rng.gen_range(DAY..30 * DAY)).into(),
            ]);
        }
    }
    plan.rows("service_likes").extend(likes);

    // Requests by clients (users who are not providers, or any user when all are).
    let clients: Vec<i64> = if users.len() > providers.len() {
        users[providers.len()..].to_vec()
    } else {
        users.to_vec()
    };
    if services.is_empty() || clients.is_empty() {
        return plan;
    }
    let mut next_slot = vec![0i64; providers.len()]; // per provider: days of appointments used
    for _ in 0..counts.requests {
        let client = *clients.choose(&mut rng).unwrap_or(&clients[0]);
        let service_index = rng.gen_range(0..services.len());
        let category = providers[services[service_index].1].2;
        let budget = services[service_index].2;
        let request = uuid(&mut rng);
        let created = now - rng.gen_range(10 * DAY..120 * DAY);
        // Proposals from providers in the category (never the client themself).
        let mut bidders: Vec<usize> = (0..providers.len())
            .filter(|p| providers[*p].2 == category && providers[*p].1 != client)
            .collect();
        bidders.shuffle(&mut rng);
        bidders.truncate(rng.gen_range(0..=4));
        let outcome = rng.gen_range(0..10);
        let awarded = !bidders.is_empty() && outcome < 5;
        let cancelled = !awarded && outcome == 9;
        let path = if awarded {
            contract_path(&mut rng)
        } else {
            &[][..]
        };
        let closed = matches!(path.last(), Some(&"completed") | Some(&"cancelled"));
        let status = match (awarded, closed, cancelled) {
            (true, true, _) => "closed",
            (true, false, _) => "awarded",
            (false, _, true) => "cancelled",
            _ => "open",
        };
        let winner = rng.gen_range(0..bidders.len().max(1));
        let mut contract = None;
        for (rank, bidder) in bidders.iter().enumerate() {
            let proposal = uuid(&mut rng);
            // A bidder's own service in the category, when they have one.
            let offered = services
                .iter()
                .filter(|(_, owner, _)| owner == bidder)
                .map(|(id, _, _)| id.clone())
                .next();
            let price = (budget * rng.gen_range(80..=120) / 100).max(100);
            let proposal_status = match (awarded, cancelled, rank == winner) {
                (true, _, true) => "accepted",
                (true, _, false) | (false, true, _) => "rejected",
                _ => "pending",
            };
            let proposed_at = created + rng.gen_range(DAY / 4..3 * DAY);
            plan.rows("proposals").push(vec![
                proposal.clone().into(),
                request.clone().into(),
                providers[*bidder].0.clone().into(),
                offered.clone().into(),
                price.into(),
                "I can start this week.".into(),
                Param::Int(rng.gen_range(1..=30)),
                proposal_status.into(),
                proposed_at.into(),
                proposed_at.into(),
            ]);
            plan.written.proposals += 1;
            if proposal_status == "accepted" {
                contract = Some((proposal, *bidder, price, offered, proposed_at + DAY));
            }
        }
        plan.rows("service_requests").push(vec![
            request.clone().into(),
            client.into(),
            categories[category].clone().into(),
            format!(
                "Looking for: {}",
                CATEGORIES[category]
                    .2
                    .choose(&mut rng)
                    .copied()
                    .unwrap_or("help")
                    .to_lowercase()
            )
            .into(),
            "Details on request; flexible on dates.".into(),
            (budget / 2).into(),
            (budget * 3 / 2).into(),
            Param::NullText,
            status.into(),
            (bidders.len() as i64).into(),
            created.into(),
            created.into(),
        ]);
        let Some((proposal, bidder, price, offered, accepted_at)) = contract else {
            continue;
        };
        let contract_id = uuid(&mut rng);
        let provider_user = providers[bidder].1;
        let mut at = accepted_at;
        let mut from: Option<&str> = None;
        for step in path {
            // The provider delivers; the client accepted, completes, disputes or cancels.
            let changed_by = if *step == "delivered" {
                provider_user
            } else {
                client
            };
            plan.rows("contract_status_history").push(vec![
                contract_id.clone().into(),
                from.map(str::to_owned).into(),
                (*step).into(),
                "".into(),
                changed_by.into(),
                at.into(),
            ]);
            from = Some(step);
            at += rng.gen_range(DAY..5 * DAY);
        }
        let final_status = path.last().copied().unwrap_or("active");
        plan.rows("contracts").push(vec![
            contract_id.clone().into(),
            request.clone().into(),
            proposal.into(),
            client.into(),
            providers[bidder].0.clone().into(),
            price.into(),
            final_status.into(),
            accepted_at.into(),
            at.min(now).into(),
        ]);
        plan.written.contracts += 1;
        // A completed contract whose proposal named a service usually got a comment.
        if let (Some(service), "completed") = (offered, final_status) {
            if rng.gen_bool(0.7) {
                let rating = *[3i64, 4, 4, 5, 5, 5, 2].choose(&mut rng).unwrap_or(&5);
                plan.rows("service_comments").push(vec![
                    uuid(&mut rng).into(),
                    service.into(),
                    contract_id.clone().into(),
                    client.into(),
                    rating.into(),
                    COMMENTS[rating as usize - 1].into(),
                    at.min(now).into(),
                ]);
            }
        }
        // Open contracts have appointments: each on a day of its own for the provider, so
        // confirmed ones never overlap.
        if matches!(final_status, "active" | "delivered") {
            for _ in 0..rng.gen_range(1..=2) {
                next_slot[bidder] += 1;
                let starts = now + next_slot[bidder] * DAY + 9 * 3_600_000_000;
                let confirmed = rng.gen_bool(0.6);
                plan.rows("appointments").push(vec![
                    uuid(&mut rng).into(),
                    contract_id.clone().into(),
                    providers[bidder].0.clone().into(),
                    client.into(),
                    starts.into(),
                    (starts + rng.gen_range(1..=4) * 3_600_000_000).into(),
                    "Video call".into(),
                    (if confirmed { "confirmed" } else { "proposed" }).into(),
                    "".into(),
                    accepted_at.into(),
                    accepted_at.into(),
                ]);
                plan.written.appointments += 1;
            }
        }
    }
    plan.written.requests = counts.requests;
    plan
}

/// Plans and writes the marketplace on `conn` (the seed's transaction), then sets every counter
/// from what it counts and every service's search text.
pub async fn write(
    conn: &mut AnyConnection,
    backend: Backend,
    seed: u64,
    counts: Counts,
    users: &[i64],
    now: i64,
) -> anyhow::Result<Written> {
    let plan = plan(seed, counts, users, now);
    let total = plan.rows.iter().map(|rows| rows.len() as u64).sum();
    let bar = phase("marketplace", total);
    for ((table, columns), rows) in TABLES.iter().zip(plan.rows) {
        insert_rows(conn, table, columns, rows, &bar).await?;
    }
    for sql in [
        "UPDATE services SET \
           likes_count = (SELECT COUNT(*) FROM service_likes l WHERE l.service_id = services.id), \
           rating_sum = COALESCE((SELECT SUM(c.rating) FROM service_comments c WHERE c.service_id = services.id), 0), \
           reviews_count = (SELECT COUNT(*) FROM service_comments c WHERE c.service_id = services.id)",
        "UPDATE providers SET \
           rating_sum = COALESCE((SELECT SUM(c.rating) FROM service_comments c \
                                  JOIN services s ON s.id = c.service_id WHERE s.provider_id = providers.id), 0), \
           reviews_count = (SELECT COUNT(*) FROM service_comments c \
                            JOIN services s ON s.id = c.service_id WHERE s.provider_id = providers.id)",
    ] {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    search_text::refresh(conn, backend, Scope::All).await?;
    bar.finish();
    Ok(plan.written)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTS: Counts = Counts {
        providers: 10,
        services: 30,
        requests: 40,
    };

    fn table<'a>(plan: &'a Plan, name: &str) -> &'a [Vec<Param>] {
        let index = TABLES.iter().position(|(table, _)| *table == name).unwrap();
        &plan.rows[index]
    }

    #[test]
    fn the_same_seed_plans_the_same_marketplace() {
        let users: Vec<i64> = (1..=30).collect();
        let one = plan(7, COUNTS, &users, 1_700_000_000_000_000);
        let two = plan(7, COUNTS, &users, 1_700_000_000_000_000);
        assert_eq!(table(&one, "contracts"), table(&two, "contracts"));
        assert_eq!(table(&one, "services"), table(&two, "services"));
        let other = plan(8, COUNTS, &users, 1_700_000_000_000_000);
        assert_ne!(table(&one, "services"), table(&other, "services"));
    }

    #[test]
    fn every_awarded_request_has_exactly_one_accepted_proposal_and_one_contract() {
        let users: Vec<i64> = (1..=30).collect();
        let plan = plan(3, COUNTS, &users, 1_700_000_000_000_000);
        let text = |row: &[Param], column: usize| match &row[column] {
            Param::Text(text) => text.clone(),
            other => panic!("not text: {other:?}"),
        };
        let contracts = table(&plan, "contracts");
        assert!(!contracts.is_empty());
        for request in table(&plan, "service_requests") {
            let id = text(request, 0);
            let status = text(request, 8);
            let accepted = table(&plan, "proposals")
                .iter()
                .filter(|p| text(p, 1) == id && text(p, 7) == "accepted")
                .count();
            let contracts = contracts.iter().filter(|c| text(c, 1) == id).count();
            let awarded = matches!(status.as_str(), "awarded" | "closed");
            assert_eq!(accepted, usize::from(awarded), "{status}");
            assert_eq!(contracts, usize::from(awarded), "{status}");
        }
    }
}
