//! The JSON REST API of the original design (docs/api.md). Every response is the envelope
//! `{success, data, message, error{code, message, details}, timestamp}`; errors are rendered by
//! the `localize` middleware with the message from `error_info` in the request's locale.
//! The OpenAPI description is generated from these types (`/api/openapi.json`).

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::api_messages;
use super::client::ClientIp;
use super::error::AppError;
use super::extract::RoomPath;
use crate::domain::DisplayName;
use crate::limits::{self, Action};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/rooms", post(create_room))
        .route("/api/rooms/{room}", get(room_info))
        .route("/api/rooms/{room}/members", post(join_room))
        .route(
            "/api/rooms/{room}/messages",
            get(api_messages::list_messages).post(api_messages::send_message),
        )
        .route(
            "/api/rooms/{room}/messages/{id}",
            patch(api_messages::edit_message).delete(api_messages::delete_message),
        )
        .route("/api/rooms/{room}/messages/{id}/reactions", post(api_messages::react_to_message))
        .route("/api/openapi.json", get(openapi))
}

/// The response envelope.
#[derive(Serialize, ToSchema)]
pub struct Envelope<T> {
    /// Whether the call succeeded.
    pub success: bool,
    /// The result, on success; `null` on failure.
    #[schema(required = true)]
    pub data: Option<T>,
    /// A human-readable note, if any.
    #[schema(required = true)]
    pub message: Option<String>,
    /// What went wrong, on failure; `null` on success.
    #[schema(required = true)]
    pub error: Option<ApiError>,
    /// When the response was made, RFC 3339 UTC.
    pub timestamp: String,
}

/// An error in the envelope.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// Stable error code, e.g. `ROOM_NOT_FOUND`.
    pub code: String,
    /// The message in the request's locale, from `error_info`.
    pub message: String,
    /// Specifics: `field` names the refused field.
    #[schema(value_type = Object)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

impl<T: Serialize> Envelope<T> {
    /// A successful envelope around `data`.
    pub fn ok(data: T) -> Self {
        Self { success: true, data: Some(data), message: None, error: None, timestamp: now_rfc3339() }
    }
}

/// The `data` of a failed call: always `null`.
#[derive(Serialize)]
pub struct NoData {}

impl utoipa::PartialSchema for NoData {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Null)
            .description(Some("Always null: the call failed."))
            .into()
    }
}

impl ToSchema for NoData {}

impl Envelope<NoData> {
    /// A failed envelope.
    pub fn failure(error: ApiError) -> Self {
        Self { success: false, data: None, message: None, error: Some(error), timestamp: now_rfc3339() }
    }
}

/// A JSON body whose syntax errors become a localized `VALIDATION_ERROR` envelope.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::BadRequest(match rejection {
                JsonRejection::MissingJsonContentType(_) => "expected Content-Type: application/json".into(),
                other => other.body_text(),
            })),
        }
    }
}

/// `POST /api/rooms` body.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateRoom {
    /// The creator's display name, 1–32 characters.
    #[serde(default)]
    pub creator_name: Option<String>,
    /// The room's name (optional, one line, up to 80 characters).
    #[serde(default)]
    pub room_name: Option<String>,
    /// The room's topic (optional, one line, up to 200 characters).
    #[serde(default)]
    pub topic: Option<String>,
}

/// `POST /api/rooms/{roomId}/members` body.
#[derive(Deserialize, ToSchema)]
pub struct JoinRoom {
    /// Display name, 1–32 characters, not used by a present member.
    #[serde(default)]
    pub name: Option<String>,
}

/// A created room, and the creator's membership.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomCreated {
    /// The room; its link is `/r/{roomId}`.
    pub room_id: String,
    /// The creator.
    pub user_id: String,
    /// API token for the JSON WebSocket (`join`).
    pub token: String,
}

/// A new membership.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The member.
    pub user_id: String,
    /// API token for the JSON WebSocket (`join`).
    pub token: String,
}

/// A member in room info.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberInfo {
    /// The member.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Whether any connection of theirs is live.
    pub online: bool,
}

/// A room.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoomInfo {
    /// The room.
    pub room_id: String,
    /// `active` while anyone is online, `idle` while it waits to expire.
    pub status: String,
    /// Members, online or not.
    pub member_count: usize,
    /// Members online now.
    pub online_count: usize,
    /// Members in join order: all of them in a room of up to 100, else the ones online (at
    /// most 100; docs/rooms.md, "Big rooms").
    pub members: Vec<MemberInfo>,
    /// When an idle room will be deleted (RFC 3339), if it is idle.
    pub expires_at: Option<String>,
    /// The room's name, if it has one.
    pub name: Option<String>,
    /// Its topic, if it has one.
    pub topic: Option<String>,
    /// Its owner's user id (none once every member has left).
    pub owner: Option<String>,
    /// Whether the owner locked it (joins are refused with `ROOM_LOCKED`).
    pub locked: bool,
}

fn parse_name(raw: Option<&str>, field: &'static str, state: &AppState) -> Result<DisplayName, AppError> {
    DisplayName::parse(raw.unwrap_or(""), state.limits())
        .map_err(|err| AppError::invalid(err, field, state.limits()))
}

/// Creates a room; the creator becomes its first member.
#[utoipa::path(post, path = "/api/rooms", request_body = CreateRoom, tag = "rooms",
    responses(
        (status = 201, description = "Room created", body = Envelope<RoomCreated>),
        (status = 400, description = "Malformed JSON", body = Envelope<NoData>),
        (status = 422, description = "Bad name (`details.field`)", body = Envelope<NoData>),
        (status = 429, description = "Too many from this address (`RATE_LIMITED`, `Retry-After`)", body = Envelope<NoData>),
        (status = 503, description = "Backend unavailable", body = Envelope<NoData>),
    ))]
async fn create_room(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CreateRoom>,
) -> Result<Response, AppError> {
    limits::spend(state.backend.as_ref(), state.limits(), Action::Create, ip).await?;
    let name = parse_name(body.creator_name.as_deref(), "creatorName", &state)?;
    let meta = super::extract::room_meta(
        state.limits(),
        body.room_name.as_deref().unwrap_or(""),
        body.topic.as_deref().unwrap_or(""),
    )?;
    let (room, user) = state.backend.create_room(name, meta).await?;
    let token = state.backend.issue_token(&room, &user).await?;
    tracing::info!(%room, "room created through the API");
    let data = RoomCreated { room_id: room.to_string(), user_id: user.to_string(), token };
    Ok((StatusCode::CREATED, Json(Envelope::ok(data))).into_response())
}

/// A room's members and status.
#[utoipa::path(get, path = "/api/rooms/{roomId}", tag = "rooms",
    params(("roomId" = String, Path, description = "Room id")),
    responses(
        (status = 200, description = "The room", body = Envelope<RoomInfo>),
        (status = 404, description = "No such room (`ROOM_NOT_FOUND`)", body = Envelope<NoData>),
        (status = 503, description = "Backend unavailable", body = Envelope<NoData>),
    ))]
async fn room_info(State(state): State<AppState>, RoomPath(room): RoomPath) -> Result<Response, AppError> {
    let snapshot = state.backend.room(&room).await?;
    let data = RoomInfo {
        room_id: room.to_string(),
        status: if snapshot.idle_expires_at.is_some() { "idle" } else { "active" }.to_owned(),
        member_count: snapshot.member_count,
        online_count: snapshot.online_count,
        name: snapshot.meta.name.as_ref().map(|t| t.as_str().to_owned()),
        topic: snapshot.meta.topic.as_ref().map(|t| t.as_str().to_owned()),
        owner: snapshot.owner.as_ref().map(ToString::to_string),
        locked: snapshot.locked,
        expires_at: snapshot.idle_expires_at.map(|at| crate::views::clock(at).0),
        members: snapshot
            .members
            .into_iter()
            .map(|m| MemberInfo {
                user_id: m.user.to_string(),
                name: m.name.as_str().to_owned(),
                online: m.online,
            })
            .collect(),
    };
    Ok(Json(Envelope::ok(data)).into_response())
}

/// Joins a room under a display name.
#[utoipa::path(post, path = "/api/rooms/{roomId}/members", request_body = JoinRoom, tag = "rooms",
    params(("roomId" = String, Path, description = "Room id")),
    responses(
        (status = 201, description = "Joined", body = Envelope<Membership>),
        (status = 400, description = "Malformed JSON", body = Envelope<NoData>),
        (status = 404, description = "No such room (`ROOM_NOT_FOUND`)", body = Envelope<NoData>),
        (status = 409, description = "A present member uses the name (`NAME_TAKEN`)", body = Envelope<NoData>),
        (status = 422, description = "Bad name (`details.field`)", body = Envelope<NoData>),
        (status = 429, description = "Too many from this address (`RATE_LIMITED`, `Retry-After`)", body = Envelope<NoData>),
        (status = 503, description = "Backend unavailable", body = Envelope<NoData>),
    ))]
async fn join_room(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RoomPath(room): RoomPath,
    ApiJson(body): ApiJson<JoinRoom>,
) -> Result<Response, AppError> {
    limits::spend(state.backend.as_ref(), state.limits(), Action::Join, ip).await?;
    let name = parse_name(body.name.as_deref(), "name", &state)?;
    let user = state.backend.join(&room, name).await?;
    let token = state.backend.issue_token(&room, &user).await?;
    Ok((StatusCode::CREATED, Json(Envelope::ok(Membership { user_id: user.to_string(), token })))
        .into_response())
}

/// The API's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "c2c",
        description = "Share-a-link chat: rooms, members and the JSON envelope. \
        Live messages use the JSON WebSocket at /ws (see docs/api.md)."
    ),
    paths(
        create_room,
        room_info,
        join_room,
        api_messages::list_messages,
        api_messages::send_message,
        api_messages::edit_message,
        api_messages::delete_message,
        api_messages::react_to_message
    ),
    modifiers(&TokenAuth)
)]
pub struct ApiDoc;

/// The API token as the message calls take it: `Authorization: Bearer {token}`.
struct TokenAuth;

impl utoipa::Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("The API token from creating or joining the room"))
            .build();
        components.add_security_scheme("token", SecurityScheme::Http(scheme));
    }
}

async fn openapi() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(err) => AppError::Internal(format!("openapi: {err}")).into_response(),
    }
}
