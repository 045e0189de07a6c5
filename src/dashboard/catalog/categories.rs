//! The category pages: the tree, the create and edit form (the parent picker is how a category
//! moves), and delete with a confirmation. Every write is `catalog::categories`' own.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde, Value};
use serde::Serialize;
use serde_json::Map;

use super::form::{draft, field_errors, no_errors, REFUSED};
use crate::dashboard::paging;
use crate::{
    catalog::categories::{self, CategoryList, CategoryNode, CategoryView},
    dashboard::{
        extract::{Fields, Path, StaffForm},
        pages,
        session::StaffSession,
    },
    error::ApiError,
    http::extract::QueryPairs,
    state::AppState,
};

/// One line of the tree as shown: a category, how deep it sits (a root is 0) and the active
/// products in it and below it.
#[derive(Debug, Serialize)]
struct TreeRow {
    id: i64,
    name: String,
    slug: String,
    parent: Option<i64>,
    depth: usize,
    products_count: i64,
}

/// Every category in tree order (parents before their children, siblings by name), through the
/// API's `categories/?tree=true`: one query, and not paged (a tree cut into pages loses its
/// parents; docs/dashboard.md).
async fn tree_rows(state: &AppState) -> Result<Vec<TreeRow>, ApiError> {
    let whole = paging::page_request(&QueryPairs::default())?;
    let roots = match categories::list(state, &whole, true).await? {
        CategoryList::Tree(roots) => roots,
        CategoryList::Page(page) => page
            .results
            .into_iter()
            .map(|category| CategoryNode {
                category,
                children: Vec::new(),
            })
            .collect(),
    };
    // Depth first without recursion; children are pushed in reverse so they come out by name.
    let mut rows = Vec::new();
    let mut stack: Vec<(CategoryNode, usize)> = roots.into_iter().rev().map(|n| (n, 0)).collect();
    while let Some((node, depth)) = stack.pop() {
        let CategoryNode { category, children } = node;
        stack.extend(children.into_iter().rev().map(|child| (child, depth + 1)));
        rows.push(TreeRow {
            id: category.id,
            name: category.name,
            slug: category.slug,
            parent: category.parent,
            depth,
            products_count: category.products_count,
        });
    }
    Ok(rows)
}

/// `GET /dashboard/categories/`: the tree, indented.
pub async fn list_categories(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    match tree_rows(&state).await {
        Ok(rows) => pages::page(
            &session,
            "categories/list.html",
            context! { rows => Value::from(Serde(rows)), deleted => query.get("deleted").is_some() },
        ),
        Err(error) => pages::error(&session, error),
    }
}

/// What the form shows: the values (as stored, or as typed) and the parent picker.
struct FormPage<'a> {
    /// `None` for a new category.
    category: Option<&'a CategoryView>,
    values: Value,
    errors: Value,
    saved: bool,
}

/// The form page; the parent picker offers every category but the one edited (one below it is
/// offered: the API refuses it as a cycle, with its message on the field).
async fn form_page(
    state: &AppState,
    session: &StaffSession,
    status: axum::http::StatusCode,
    page: FormPage<'_>,
) -> Response {
    let rows = match tree_rows(state).await {
        Ok(rows) => rows,
        Err(error) => return pages::error(session, error),
    };
    let editing = page.category.map(|c| c.id);
    let parents: Vec<(String, String)> = rows
        .iter()
        .filter(|row| Some(row.id) != editing)
        .map(|row| {
            let indent = "\u{2014} ".repeat(row.depth);
            (row.id.to_string(), format!("{indent}{}", row.name))
        })
        .collect();
    pages::page_with_status(
        status,
        session,
        "categories/form.html",
        context! {
            category => page.category.map(|value| Value::from(Serde(value))),
            values => page.values,
            errors => page.errors,
            parents,
            saved => page.saved,
        },
    )
}

/// The form's values as typed.
fn typed(fields: &Fields) -> Value {
    context! {
        name => fields.get("name"),
        slug => fields.get("slug"),
        description => fields.get("description"),
        parent => fields.get("parent"),
    }
}

/// The posted form as the API's body: a blank parent is a root (`null`).
fn body(fields: &Fields) -> Map<String, serde_json::Value> {
    let mut body = fields.body();
    if fields.get("parent").trim().is_empty() {
        body.insert("parent".into(), serde_json::Value::Null);
    }
    body
}

/// `GET /dashboard/categories/new/` (`?parent=` preselects a parent).
pub async fn new_category(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let values = context! { name => "", slug => "", description => "", parent => query.get("parent").unwrap_or_default() };
    let page = FormPage {
        category: None,
        values,
        errors: no_errors(),
        saved: false,
    };
    form_page(&state, &session, axum::http::StatusCode::OK, page).await
}

/// `POST /dashboard/categories/new/`: creates it through `categories::create`.
pub async fn create_category(State(state): State<AppState>, form: StaffForm) -> Response {
    let StaffForm { session, fields } = form;
    let created = match draft(body(&fields)) {
        Ok(draft) => categories::create(&state.db, draft).await,
        Err(error) => Err(error),
    };
    match created {
        Ok(category) => {
            Redirect::to(&format!("/dashboard/categories/{}/?saved=1", category.id)).into_response()
        }
        Err(error) => refused(&state, &session, None, &fields, error).await,
    }
}

/// A save the API refused: the form again with the values as typed and each field's error
/// (`400`), or the error's own page when it isn't about the form.
async fn refused(
    state: &AppState,
    session: &StaffSession,
    category: Option<&CategoryView>,
    fields: &Fields,
    error: ApiError,
) -> Response {
    match field_errors(error) {
        Ok(errors) => {
            let page = FormPage {
                category,
                values: typed(fields),
                errors,
                saved: false,
            };
            form_page(state, session, REFUSED, page).await
        }
        Err(error) => pages::error(session, error),
    }
}

/// `GET /dashboard/categories/{id}/`: the edit form.
pub async fn edit_category(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<i64>,
    query: QueryPairs,
) -> Response {
    let category = match categories::get(&state, &id.to_string()).await {
        Ok(category) => category,
        Err(error) => return pages::error(&session, error),
    };
    let values = context! {
        name => &category.name,
        slug => &category.slug,
        description => &category.description,
        parent => category.parent.map(|p| p.to_string()).unwrap_or_default(),
    };
    let page = FormPage {
        category: Some(&category),
        values,
        errors: no_errors(),
        saved: query.get("saved").is_some(),
    };
    form_page(&state, &session, axum::http::StatusCode::OK, page).await
}

/// `POST /dashboard/categories/{id}/`: saves through `categories::update` (a move is a new
/// parent; one that would make a cycle is the API's error on the parent field).
pub async fn update_category(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm,
) -> Response {
    let StaffForm { session, fields } = form;
    let key = id.to_string();
    // Read first: an unknown id is the 404 page, whatever the form says.
    let category = match categories::get(&state, &key).await {
        Ok(category) => category,
        Err(error) => return pages::error(&session, error),
    };
    let updated = match draft(body(&fields)) {
        Ok(draft) => categories::update(&state.db, &key, draft).await,
        Err(error) => Err(error),
    };
    match updated {
        Ok(_) => Redirect::to(&format!("/dashboard/categories/{id}/?saved=1")).into_response(),
        Err(error) => refused(&state, &session, Some(&category), &fields, error).await,
    }
}

/// `GET /dashboard/categories/{id}/delete/`: asks first.
pub async fn confirm_delete(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<i64>,
) -> Response {
    match categories::get(&state, &id.to_string()).await {
        Ok(category) => pages::page(
            &session,
            "categories/delete.html",
            context! { category => Value::from(Serde(&category)) },
        ),
        Err(error) => pages::error(&session, error),
    }
}

/// `POST /dashboard/categories/{id}/delete/`: one with products or subcategories is refused
/// with the API's message (`409`).
pub async fn delete_category(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm,
) -> Response {
    match categories::delete(&state.db, &id.to_string()).await {
        Ok(()) => Redirect::to("/dashboard/categories/?deleted=1").into_response(),
        Err(error) => pages::error(&form.session, error),
    }
}
