//! The `longtail` scenario's URLs: a fixed set of distinct product-list queries (filters, search
//! words, orderings, page sizes, pages) built from the workload with a fixed seed, ranked by a
//! fixed shuffle and drawn by Zipf rank, so the catalog cache sees the hits and misses of a real
//! shop's browsing rather than of 300 hot URLs; and the `x-cache` answers counted while it runs.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicU64, Ordering},
        OnceLock,
    },
};

use anyhow::{bail, Context};
use futures_util::{stream, StreamExt, TryStreamExt};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};
use serde::Serialize;

/// The server's cache answer header (`nexus::cache::entry::CACHE_HEADER`): `HIT` or `MISS` on
/// a cacheable read, absent with the cache off.
pub const CACHE_HEADER: &str = "x-cache";
/// Distinct URLs by default (`--longtail-combinations`).
pub const DEFAULT_COMBINATIONS: usize = 100_000;
/// Zipf exponent by default (`--longtail-exponent`): rank k is drawn with probability ∝ 1/k^s
/// (docs/PERFORMANCE.md "longtail" says why 1.0).
pub const DEFAULT_EXPONENT: f64 = 1.0;
/// The seed of the filters, the URLs and their ranks: same workload, same URLs, same ranks.
pub const SEED: u64 = 22;
/// Distinct URLs per counted filter set on average: the filter sets are counted (one request
/// each) before the run, so there are `combinations / URLS_PER_FILTER` of them.
const URLS_PER_FILTER: usize = 25;
/// Count requests in flight while the filter sets are counted.
const COUNTING_CONCURRENCY: usize = 8;
/// Deepest page asked for (where the filter has that many).
const MAX_PAGE: u64 = 10;
/// `page_size` values (`None`: the default, 20, by leaving it out — a different URL).
const PAGE_SIZES: [Option<u64>; 4] = [None, Some(12), Some(24), Some(48)];
const DEFAULT_PAGE_SIZE: u64 = 20;
/// `ordering` values besides leaving it out (newest first, or relevance for a search).
const ORDERINGS: [&str; 10] = [
    "-created_at",
    "created_at",
    "price",
    "-price",
    "title",
    "-title",
    "-average_rating",
    "created_at,title",
    "-stock_quantity",
    "-price,title",
];
/// `price_min`/`price_max` bands.
const PRICE_BANDS: [(u32, u32); 6] = [
    (0, 25),
    (10, 100),
    (25, 250),
    (100, 1000),
    (500, 2000),
    (50, 150),
];

/// What the combinations are made of: the seeded catalogue's categories (id, slug), brand slugs
/// and title words.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub categories: Vec<(i64, String)>,
    pub brands: Vec<String>,
    pub words: Vec<String>,
}

/// One filter set, by index into the [`Catalogue`]: what decides the result count (the
/// ordering, page size, page and whether a category is named by id or slug don't).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Filter {
    category: Option<usize>,
    brand: Option<usize>,
    price: Option<usize>,
    in_stock: bool,
    search: Option<usize>,
}

impl Filter {
    /// The query pairs, in a fixed order, the category named by id or by slug.
    fn pairs(&self, catalogue: &Catalogue, category_by_slug: bool) -> Vec<String> {
        let mut pairs = Vec::new();
        if let Some(i) = self.category {
            let (id, slug) = &catalogue.categories[i];
            pairs.push(if category_by_slug {
                format!("category={slug}")
            } else {
                format!("category={id}")
            });
        }
        if let Some(i) = self.brand {
            pairs.push(format!("brand={}", catalogue.brands[i]));
        }
        if let Some(i) = self.price {
            let (min, max) = PRICE_BANDS[i];
            pairs.push(format!("price_min={min}&price_max={max}"));
        }
        if self.in_stock {
            pairs.push("in_stock=true".to_owned());
        }
        if let Some(i) = self.search {
            pairs.push(format!("search={}", catalogue.words[i]));
        }
        pairs
    }

    /// The URL that counts this filter set's products (one product per page: the cheapest page).
    fn count_path(&self, catalogue: &Catalogue) -> String {
        let mut pairs = self.pairs(catalogue, false);
        pairs.push("page_size=1".to_owned());
        format!("/api/v1/products/?{}", pairs.join("&"))
    }
}

/// `wanted` distinct filter sets, drawn with `seed`: most name a category, some a brand, a price
/// band, `in_stock` or a search word, in any combination (none at all too).
pub fn filters(catalogue: &Catalogue, wanted: usize, seed: u64) -> anyhow::Result<Vec<Filter>> {
    if catalogue.categories.is_empty() || catalogue.words.is_empty() {
        bail!("longtail needs categories and title words");
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let pick = |p: f64, len: usize, rng: &mut StdRng| {
        (len > 0 && rng.random_bool(p)).then(|| rng.random_range(0..len))
    };
    let mut seen = HashSet::with_capacity(wanted);
    let mut chosen = Vec::with_capacity(wanted);
    let mut attempts = 0;
    while chosen.len() < wanted {
        attempts += 1;
        if attempts > wanted * 100 + 1000 {
            bail!("only {} distinct filter sets of {wanted}", chosen.len());
        }
        let filter = Filter {
            category: pick(0.75, catalogue.categories.len(), &mut rng),
            brand: pick(0.3, catalogue.brands.len(), &mut rng),
            price: pick(0.35, PRICE_BANDS.len(), &mut rng),
            in_stock: rng.random_bool(0.4),
            search: pick(0.3, catalogue.words.len(), &mut rng),
        };
        if seen.insert(filter) {
            chosen.push(filter);
        }
    }
    Ok(chosen)
}

/// How many filter sets `combinations` URLs are drawn from.
pub fn filter_count(combinations: usize) -> usize {
    (combinations / URLS_PER_FILTER).max(16)
}

/// `wanted` distinct product-list paths in rank order (rank 1 first), from `counted` filter sets
/// with their result counts: each a filter set, its category by id or slug, an ordering or none,
/// a page size or the default, and a page that exists (page 1 always does: an empty result is a
/// `200` with no products; a page past the last would be `404 Invalid page.`). Then shuffled:
/// the rank of a URL is unrelated to how it was drawn.
pub fn paths(
    catalogue: &Catalogue,
    counted: &[(Filter, u64)],
    wanted: usize,
    seed: u64,
) -> anyhow::Result<Vec<String>> {
    if counted.is_empty() {
        bail!("no filter sets to build longtail URLs from");
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut seen = HashSet::with_capacity(wanted);
    let mut paths = Vec::with_capacity(wanted);
    let mut attempts = 0;
    while paths.len() < wanted {
        attempts += 1;
        if attempts > wanted * 50 + 1000 {
            bail!(
                "only {} distinct longtail URLs of {wanted} from {} filter sets",
                paths.len(),
                counted.len()
            );
        }
        let (filter, count) = &counted[rng.random_range(0..counted.len())];
        let mut pairs = filter.pairs(catalogue, rng.random_bool(0.5));
        if rng.random_bool(0.6) {
            pairs.push(format!(
                "ordering={}",
                ORDERINGS[rng.random_range(0..ORDERINGS.len())]
            ));
        }
        let page_size = PAGE_SIZES[rng.random_range(0..PAGE_SIZES.len())];
        if let Some(size) = page_size {
            pairs.push(format!("page_size={size}"));
        }
        let pages = count
            .div_ceil(page_size.unwrap_or(DEFAULT_PAGE_SIZE))
            .clamp(1, MAX_PAGE);
        // Half the views are of a first page, which leaves `page` out as a shop's links do.
        if pages > 1 && rng.random_bool(0.5) {
            pairs.push(format!("page={}", rng.random_range(2..=pages)));
        }
        let path = format!("/api/v1/products/?{}", pairs.join("&"));
        if seen.insert(path.clone()) {
            paths.push(path);
        }
    }
    paths.shuffle(&mut StdRng::seed_from_u64(seed.wrapping_add(1)));
    Ok(paths)
}

/// Counts each filter set's products by asking the server (`count` of a one-product page), a few
/// at a time, in the order given.
pub async fn count(
    catalogue: &Catalogue,
    filters: &[Filter],
    base_url: &str,
) -> anyhow::Result<Vec<(Filter, u64)>> {
    let client = reqwest::Client::new();
    stream::iter(filters.iter().copied())
        .map(|filter| {
            let url = format!("{base_url}{}", filter.count_path(catalogue));
            let client = client.clone();
            async move {
                let body: serde_json::Value = client
                    .get(&url)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let count = body["count"]
                    .as_u64()
                    .with_context(|| format!("no count in the answer to {url}"))?;
                anyhow::Ok((filter, count))
            }
        })
        .buffered(COUNTING_CONCURRENCY)
        .try_collect()
        .await
}

/// The scenario's URLs and the Zipf distribution over their ranks.
#[derive(Debug)]
pub struct Sampler {
    /// Rank 1 first.
    paths: Vec<String>,
    zipf: Zipf<f64>,
}

impl Sampler {
    /// Builds the URLs for `catalogue` (counting `filter_count(combinations)` filter sets on
    /// the server at `base_url`) and draws ranks with exponent `exponent`.
    pub async fn build(
        catalogue: &Catalogue,
        base_url: &str,
        combinations: usize,
        exponent: f64,
    ) -> anyhow::Result<Sampler> {
        let filters = filters(catalogue, filter_count(combinations), SEED)?;
        let counted = count(catalogue, &filters, base_url)
            .await
            .context("counting the longtail filter sets")?;
        Sampler::new(paths(catalogue, &counted, combinations, SEED)?, exponent)
    }

    /// Draws from `paths` (rank 1 first) with exponent `exponent`.
    pub fn new(paths: Vec<String>, exponent: f64) -> anyhow::Result<Sampler> {
        let zipf = Zipf::new(paths.len() as f64, exponent)
            .map_err(|error| anyhow::anyhow!("Zipf over {} URLs: {error}", paths.len()))?;
        Ok(Sampler { paths, zipf })
    }

    /// A rank (1 = the most asked for), by the distribution.
    pub fn rank<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        // Zipf's samples are whole numbers in 1..=n as floats.
        (self.zipf.sample(rng) as usize).clamp(1, self.paths.len())
    }

    /// A path, drawn by rank.
    pub fn path<R: Rng + ?Sized>(&self, rng: &mut R) -> &str {
        &self.paths[self.rank(rng) - 1]
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }
}

/// The run's sampler; built once, by [`prepare`].
static SAMPLER: OnceLock<Sampler> = OnceLock::new();

/// Builds the run's URLs against the server at `base_url` unless built already (the URLs don't
/// depend on which server counted them: each starts on the same database).
pub async fn prepare(
    catalogue: &Catalogue,
    base_url: &str,
    combinations: usize,
    exponent: f64,
) -> anyhow::Result<()> {
    if SAMPLER.get().is_some() {
        return Ok(());
    }
    let building = std::time::Instant::now();
    let sampler = Sampler::build(catalogue, base_url, combinations, exponent).await?;
    println!(
        "longtail: {} URLs from {} counted filter sets in {:.1}s",
        sampler.len(),
        filter_count(combinations),
        building.elapsed().as_secs_f64()
    );
    let _ = SAMPLER.set(sampler);
    Ok(())
}

/// The sampler [`prepare`] built.
pub fn sampler() -> &'static Sampler {
    SAMPLER
        .get()
        .expect("longtail::prepare runs before the longtail attack")
}

/// How the server's catalog cache answered the scenario's requests (`x-cache`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CacheCounts {
    /// `x-cache: HIT`.
    pub hits: u64,
    /// `x-cache: MISS`.
    pub misses: u64,
    /// No `x-cache` header (the cache off, or the answer not cacheable) or no answer at all.
    pub uncached: u64,
}

impl CacheCounts {
    /// hits / (hits + misses); none when no answer went through the cache (`--cache off`).
    pub fn hit_rate(&self) -> Option<f64> {
        let through_cache = self.hits + self.misses;
        (through_cache > 0).then(|| self.hits as f64 / through_cache as f64)
    }
}

static HITS: AtomicU64 = AtomicU64::new(0);
static MISSES: AtomicU64 = AtomicU64::new(0);
static UNCACHED: AtomicU64 = AtomicU64::new(0);

/// Counts one answer by its `x-cache` header (`None`: no answer).
pub fn record(x_cache: Option<&[u8]>) {
    let counter = match x_cache {
        Some(b"HIT") => &HITS,
        Some(b"MISS") => &MISSES,
        _ => &UNCACHED,
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The counts since the last call, which start again from zero.
pub fn take_cache_counts() -> CacheCounts {
    CacheCounts {
        hits: HITS.swap(0, Ordering::Relaxed),
        misses: MISSES.swap(0, Ordering::Relaxed),
        uncached: UNCACHED.swap(0, Ordering::Relaxed),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// The names of the filters, as [`Filter::pairs`] writes them.
    const FILTER_NAMES: [&str; 6] = [
        "category",
        "brand",
        "price_min",
        "price_max",
        "in_stock",
        "search",
    ];

    fn catalogue() -> Catalogue {
        Catalogue {
            categories: (1..=60).map(|i| (i, format!("category-{i}"))).collect(),
            brands: (1..=50).map(|i| format!("brand-{i}")).collect(),
            words: (0..300).map(|i| format!("word{i}")).collect(),
        }
    }

    /// Counts as a server might answer: 0 to 400 products, some filters with none.
    fn counted(catalogue: &Catalogue, combinations: usize) -> Vec<(Filter, u64)> {
        filters(catalogue, filter_count(combinations), SEED)
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(i, filter)| (filter, (i as u64 * 37) % 401))
            .collect()
    }

    #[test]
    fn the_generator_makes_exactly_the_asked_number_of_distinct_urls() {
        let catalogue = catalogue();
        let paths = paths(&catalogue, &counted(&catalogue, 100_000), 100_000, SEED).unwrap();
        assert_eq!(paths.len(), 100_000);
        let distinct: HashSet<&String> = paths.iter().collect();
        assert_eq!(distinct.len(), 100_000);
    }

    #[test]
    fn the_same_seed_gives_the_same_urls_in_the_same_rank_order() {
        let catalogue = catalogue();
        let counted = counted(&catalogue, 10_000);
        let first = paths(&catalogue, &counted, 10_000, SEED).unwrap();
        assert_eq!(first, paths(&catalogue, &counted, 10_000, SEED).unwrap());
        assert_eq!(
            filters(&catalogue, 500, SEED).unwrap(),
            filters(&catalogue, 500, SEED).unwrap()
        );
        assert_ne!(
            first,
            paths(&catalogue, &counted, 10_000, SEED + 7).unwrap()
        );
    }

    /// Every URL parses as a product-list query the API accepts: known names only, each once,
    /// category and brand from the catalogue, numbers where numbers go, and no page past the
    /// filter set's last.
    #[test]
    fn every_url_is_a_product_list_query_with_a_page_that_exists() {
        let catalogue = catalogue();
        let counted = counted(&catalogue, 20_000);
        let paths = paths(&catalogue, &counted, 20_000, SEED).unwrap();
        let category_names: HashSet<String> = catalogue
            .categories
            .iter()
            .flat_map(|(id, slug)| [id.to_string(), slug.clone()])
            .collect();
        let counts: HashMap<String, u64> = counted
            .iter()
            .flat_map(|(filter, count)| {
                [false, true].map(|by_slug| (filter.pairs(&catalogue, by_slug).join("&"), *count))
            })
            .collect();
        for path in &paths {
            let url = reqwest::Url::parse(&format!("http://localhost{path}")).unwrap();
            assert_eq!(url.path(), "/api/v1/products/", "{path}");
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            let names: HashSet<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
            assert_eq!(names.len(), pairs.len(), "a name twice in {path}");
            let value = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            let mut page_size = DEFAULT_PAGE_SIZE;
            for (name, value) in &pairs {
                match name.as_str() {
                    "category" => assert!(category_names.contains(value), "{path}"),
                    "brand" => assert!(catalogue.brands.contains(value), "{path}"),
                    "search" => assert!(catalogue.words.contains(value), "{path}"),
                    "in_stock" => assert_eq!(value, "true"),
                    "price_min" | "price_max" => {
                        value.parse::<u32>().unwrap();
                    }
                    "ordering" => assert!(ORDERINGS.contains(&value.as_str()), "{path}"),
                    "page_size" => page_size = value.parse().unwrap(),
                    "page" => assert!(value.parse::<u64>().unwrap() >= 2, "{path}"),
                    other => panic!("unexpected {other} in {path}"),
                }
            }
            assert_eq!(
                value("price_min").is_some(),
                value("price_max").is_some(),
                "{path}"
            );
            if let Some(page) = value("page") {
                let page: u64 = page.parse().unwrap();
                // The filters come first, in a fixed order: they find the filter set's count.
                let own = pairs
                    .iter()
                    .filter(|(name, _)| FILTER_NAMES.contains(&name.as_str()))
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect::<Vec<_>>()
                    .join("&");
                let count = counts[&own];
                assert!(
                    page <= count.div_ceil(page_size),
                    "{path}: past the last page"
                );
            }
        }
    }

    #[test]
    fn rank_one_is_drawn_as_often_as_the_distribution_says() {
        let paths: Vec<String> = (0..100_000).map(|i| format!("/{i}")).collect();
        let sampler = Sampler::new(paths, 1.0).unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        let draws = 200_000;
        let firsts = (0..draws).filter(|_| sampler.rank(&mut rng) == 1).count();
        // P(rank 1) = 1 / H(100,000) = 1 / 12.09 ≈ 8.27 %.
        let harmonic: f64 = (1..=100_000).map(|k| 1.0 / k as f64).sum();
        let expected = draws as f64 / harmonic;
        let share = firsts as f64 / expected;
        assert!(
            (0.95..1.05).contains(&share),
            "{firsts} rank-1 draws, expected {expected:.0}"
        );
        assert!(sampler.path(&mut rng).starts_with('/'));
    }

    #[test]
    fn answers_are_counted_by_their_x_cache_header_and_the_counts_start_again_once_taken() {
        take_cache_counts();
        record(Some(b"HIT"));
        record(Some(b"HIT"));
        record(Some(b"MISS"));
        record(None);
        assert_eq!(
            take_cache_counts(),
            CacheCounts {
                hits: 2,
                misses: 1,
                uncached: 1,
            }
        );
        assert_eq!(take_cache_counts(), CacheCounts::default());
    }

    #[test]
    fn the_hit_rate_is_hits_over_answers_through_the_cache_and_absent_with_the_cache_off() {
        let counts = CacheCounts {
            hits: 60,
            misses: 40,
            uncached: 5,
        };
        assert_eq!(counts.hit_rate(), Some(0.6));
        let off = CacheCounts {
            hits: 0,
            misses: 0,
            uncached: 100,
        };
        assert_eq!(off.hit_rate(), None);
    }
}
