//! The staff dashboard (SPEC §3.9) over HTTP, as a browser would use it: sign-in with its CSRF
//! cookie, the session cookie, roles, the idle timeout, sign-out, the login rate limit shared with
//! the API, and the overview's figures.

mod browser;
mod overview;
mod sign_in;

use self::browser::Browser;
