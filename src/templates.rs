//! Template files compiled into the binary (`templates/email/`, `templates/dashboard/`): one
//! minijinja environment per directory, built the same way for each. HTML templates escape what
//! they insert.

use minijinja::Environment;

/// An environment holding `templates` (name, source) of `templates/<dir>/`, given as one or more
/// lists (the dashboard's sections keep a list each). A misspelt variable
/// is an error, not a silently empty line in an email or a page; a template that does not parse
/// stops the program the first time the environment is built (tests build both).
pub fn environment(
    dir: &str,
    templates: impl IntoIterator<Item = &'static (&'static str, &'static str)>,
    configure: impl FnOnce(&mut Environment<'static>),
) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    configure(&mut env);
    for (name, source) in templates {
        env.add_template(name, source)
            .unwrap_or_else(|err| panic!("templates/{dir}/{name} does not parse: {err}"));
    }
    env
}
