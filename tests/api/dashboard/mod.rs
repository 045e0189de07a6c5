//! The staff dashboard (SPEC §3.9) over HTTP, as a browser would use it: sign-in with its CSRF
//! cookie, the session cookie, roles, the idle timeout, sign-out, the login rate limit shared with
//! the API, the overview's figures, and each section of the menu (one file per section).

mod browser;
mod catalog;
mod chromium;
mod in_chromium;
mod jobs;
mod marketplace;
mod orders;
mod overview;
mod pages;
mod products;
mod reviews;
mod sessions;
mod sign_in;
mod users;

pub(crate) use self::browser::Browser;
