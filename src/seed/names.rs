//! Word lists the demo catalogue is built from: real words, so full-text search finds products.

/// A leaf category and the nouns of the products sold there.
pub type Leaf = (&'static str, &'static [&'static str]);

/// One department: its subcategories, each with two leaf categories.
pub struct Department {
    pub name: &'static str,
    pub subcategories: [(&'static str, [Leaf; 2]); 3],
}

/// 6 departments × 3 subcategories × 2 leaves = 60 categories on three levels.
pub const DEPARTMENTS: [Department; 6] = [
    Department {
        name: "Electronics",
        subcategories: [
            (
                "Audio",
                [
                    ("Headphones", &["Headphones", "Earbuds", "Headset"]),
                    ("Speakers", &["Speaker", "Soundbar", "Subwoofer"]),
                ],
            ),
            (
                "Computing",
                [
                    ("Laptops", &["Laptop", "Notebook", "Ultrabook"]),
                    ("Accessories", &["Mouse", "Keyboard", "Webcam", "Monitor"]),
                ],
            ),
            (
                "Mobile",
                [
                    ("Phones", &["Smartphone", "Phone"]),
                    ("Chargers", &["Charger", "Power Bank", "Cable"]),
                ],
            ),
        ],
    },
    Department {
        name: "Home & Kitchen",
        subcategories: [
            (
                "Kitchen",
                [
                    ("Cookware", &["Frying Pan", "Saucepan", "Dutch Oven", "Wok"]),
                    (
                        "Appliances",
                        &["Blender", "Kettle", "Toaster", "Coffee Maker"],
                    ),
                ],
            ),
            (
                "Furniture",
                [
                    ("Desks", &["Desk", "Standing Desk"]),
                    ("Chairs", &["Office Chair", "Armchair", "Stool"]),
                ],
            ),
            (
                "Lighting",
                [
                    ("Lamps", &["Desk Lamp", "Floor Lamp", "Table Lamp"]),
                    ("Bulbs", &["LED Bulb", "Smart Bulb"]),
                ],
            ),
        ],
    },
    Department {
        name: "Sports & Outdoors",
        subcategories: [
            (
                "Camping",
                [
                    ("Tents", &["Tent", "Shelter", "Tarp"]),
                    ("Sleeping", &["Sleeping Bag", "Camping Mat", "Hammock"]),
                ],
            ),
            (
                "Fitness",
                [
                    ("Weights", &["Dumbbell", "Kettlebell", "Barbell"]),
                    ("Yoga", &["Yoga Mat", "Foam Roller", "Yoga Block"]),
                ],
            ),
            (
                "Cycling",
                [
                    ("Bikes", &["Road Bike", "Mountain Bike", "City Bike"]),
                    ("Bike Gear", &["Helmet", "Bike Light", "Bike Lock"]),
                ],
            ),
        ],
    },
    Department {
        name: "Fashion",
        subcategories: [
            (
                "Men",
                [
                    ("Men's Shirts", &["Shirt", "Polo", "T-Shirt"]),
                    ("Men's Shoes", &["Sneakers", "Boots", "Loafers"]),
                ],
            ),
            (
                "Women",
                [
                    ("Dresses", &["Dress", "Skirt"]),
                    ("Women's Shoes", &["Sandals", "Heels", "Sneakers"]),
                ],
            ),
            (
                "Accessories",
                [
                    ("Bags", &["Backpack", "Tote Bag", "Wallet"]),
                    ("Watches", &["Watch", "Smartwatch"]),
                ],
            ),
        ],
    },
    Department {
        name: "Books & Media",
        subcategories: [
            (
                "Books",
                [
                    ("Fiction", &["Novel", "Short Story Collection"]),
                    ("Non-fiction", &["Cookbook", "Biography", "Field Guide"]),
                ],
            ),
            (
                "Music",
                [
                    ("Vinyl", &["Vinyl Record", "Box Set"]),
                    ("Instruments", &["Guitar", "Ukulele", "Keyboard Piano"]),
                ],
            ),
            (
                "Film",
                [
                    ("Blu-ray", &["Blu-ray", "Film Collection"]),
                    ("Projectors", &["Projector", "Projection Screen"]),
                ],
            ),
        ],
    },
    Department {
        name: "Toys & Games",
        subcategories: [
            (
                "Games",
                [
                    ("Board Games", &["Board Game", "Card Game"]),
                    ("Puzzles", &["Jigsaw Puzzle", "Puzzle Cube"]),
                ],
            ),
            (
                "Building",
                [
                    ("Construction Sets", &["Building Set", "Brick Set"]),
                    ("Models", &["Model Kit", "Model Train"]),
                ],
            ),
            (
                "Outdoor Play",
                [
                    ("Ride-ons", &["Scooter", "Balance Bike"]),
                    ("Garden Games", &["Frisbee", "Kite", "Croquet Set"]),
                ],
            ),
        ],
    },
];

pub const BRAND_PREFIXES: [&str; 10] = [
    "Aurora", "Nordic", "Summit", "Velvet", "Granite", "Lumen", "Harbor", "Cedar", "Pioneer",
    "Atlas",
];
pub const BRAND_SUFFIXES: [&str; 5] = ["Works", "Labs", "& Co", "Goods", "Supply"];

pub const ADJECTIVES: &[&str] = &[
    "Wireless",
    "Compact",
    "Ergonomic",
    "Premium",
    "Classic",
    "Portable",
    "Lightweight",
    "Deluxe",
    "Smart",
    "Rugged",
    "Vintage",
    "Modern",
    "Foldable",
    "Waterproof",
    "Eco",
    "Pro",
];
pub const MATERIALS: &[&str] = &[
    "oak",
    "bamboo",
    "aluminium",
    "stainless steel",
    "recycled plastic",
    "cotton",
    "leather",
    "walnut",
    "carbon fibre",
    "wool",
    "ceramic",
    "glass",
];
pub const COLOURS: &[&str] = &[
    "Black",
    "White",
    "Graphite",
    "Navy",
    "Forest Green",
    "Sand",
    "Crimson",
    "Silver",
    "Slate",
];
pub const FEATURES: &[&str] = &[
    "It is built to last and backed by a two-year warranty",
    "A soft-touch finish makes it pleasant to use every day",
    "It packs flat and weighs less than you would expect",
    "Every unit is tested by hand before it leaves the workshop",
    "The battery lasts a full week on a single charge",
    "It is easy to clean and dishwasher safe",
    "Thoughtful details make it a favourite gift",
    "It ships in plastic-free, recyclable packaging",
    "The design won a regional award for sustainability",
    "Adjustable settings let you make it your own",
];
pub const USES: &[&str] = &[
    "everyday use",
    "travel",
    "small apartments",
    "the office",
    "weekend adventures",
    "beginners and experts alike",
    "families",
    "gifting",
];

pub const FIRST_NAMES: &[&str] = &[
    "Alice", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kaito",
    "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wei", "Yara", "Zoe",
];
pub const LAST_NAMES: &[&str] = &[
    "Smith", "Garcia", "Müller", "Rossi", "Dubois", "Kowalski", "Nakamura", "Okafor", "Silva",
    "Jensen", "Novak", "Haddad", "Kim", "Patel", "Larsen", "Moreau", "Brown", "Costa", "Weber",
    "Ivanova",
];
pub const CITIES: &[(&str, &str)] = &[
    ("Berlin", "DE"),
    ("Lyon", "FR"),
    ("Milan", "IT"),
    ("Porto", "PT"),
    ("Leeds", "GB"),
    ("Utrecht", "NL"),
    ("Gdansk", "PL"),
    ("Austin", "US"),
    ("Toronto", "CA"),
    ("Malmo", "SE"),
];
pub const STREETS: &[&str] = &[
    "High Street",
    "Station Road",
    "Mill Lane",
    "Park Avenue",
    "Church Street",
    "Harbour Way",
];

/// Review comments by rating (index 0 = 1 star).
pub const COMMENTS: [&[&str]; 5] = [
    &[
        "Broke after a week, very disappointed.",
        "Not as described. Returning it.",
    ],
    &[
        "Below expectations for the price.",
        "Works, but the quality is poor.",
    ],
    &[
        "It's okay, does the job.",
        "Average product, nothing special.",
    ],
    &[
        "Good value, would buy again.",
        "Solid quality, shipping was quick.",
        "Happy with it overall.",
    ],
    &[
        "Excellent! Exactly what I needed.",
        "Fantastic quality, highly recommended.",
        "Love it, five stars.",
    ],
];
