//! Rooms and members for a run: through c2c's API (JSON clients), its forms (browser clients,
//! which need a session cookie), or just room names (baseline, Socket.IO).

use std::time::Duration;

use futures_util::{StreamExt, stream};
use tokio::task::JoinSet;

use crate::Args;
use crate::clients::Kind;

/// How a member proves who it is.
#[derive(Clone, Debug)]
pub enum Auth {
    /// JSON socket: room id and API token.
    Token { room_id: String, token: String },
    /// Browser socket: room id and session cookie.
    Cookie { room_id: String, cookie: String },
    /// Baseline and Socket.IO: a room name.
    Room { name: String },
}

/// One client to open.
#[derive(Clone, Debug)]
pub struct Member {
    pub room: usize,
    pub url: String,
    pub auth: Auth,
}

fn http() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())
}

/// Members of every room, each room's members spread over the servers.
pub async fn members(args: &Args, rooms: usize) -> Result<Vec<Member>, String> {
    let client = http()?;
    let mut set = JoinSet::new();
    let mut out: Vec<Vec<Member>> = vec![Vec::new(); rooms];
    for room in 0..rooms {
        let size = args.room_size.min(args.clients - room * args.room_size);
        let urls: Vec<String> = (0..size).map(|j| args.urls[(room + j) % args.urls.len()].clone()).collect();
        let (kind, client, at_once) = (args.kind, client.clone(), args.concurrency);
        set.spawn(async move { (room, room_members(kind, &client, room, urls, at_once).await) });
        // A few rooms at a time: setup should not be what the server is measured on.
        while set.len() >= 16 {
            if let Some(Ok((room, members))) = set.join_next().await {
                out[room] = members?;
            }
        }
    }
    while let Some(joined) = set.join_next().await {
        let (room, members) = joined.map_err(|e| e.to_string())?;
        out[room] = members?;
    }
    Ok(out.into_iter().flatten().collect())
}

async fn room_members(
    kind: Kind,
    client: &reqwest::Client,
    room: usize,
    urls: Vec<String>,
    at_once: usize,
) -> Result<Vec<Member>, String> {
    let mut members = Vec::with_capacity(urls.len());
    match kind {
        Kind::Json => {
            let created =
                post_json(client, format!("{}/api/rooms", urls[0]), serde_json::json!({"creatorName": "m0"}))
                    .await?;
            let room_id =
                created["data"]["roomId"].as_str().ok_or(format!("create failed: {created}"))?.to_owned();
            let token = created["data"]["token"].as_str().unwrap_or_default().to_owned();
            members.push(Member {
                room,
                url: urls[0].clone(),
                auth: Auth::Token { room_id: room_id.clone(), token },
            });
            // The others join `at_once` at a time (a big room's join storm).
            let joins: Vec<Result<Member, String>> =
                stream::iter(urls.clone().into_iter().enumerate().skip(1))
                    .map(|(j, url): (usize, String)| {
                        let room_id = room_id.clone();
                        async move {
                            let body = serde_json::json!({"name": format!("m{j}")});
                            let joined =
                                post_json(client, format!("{url}/api/rooms/{room_id}/members"), body).await?;
                            let token = joined["data"]["token"]
                                .as_str()
                                .ok_or(format!("join failed: {joined}"))?
                                .to_owned();
                            Ok(Member { room, url, auth: Auth::Token { room_id, token } })
                        }
                    })
                    .buffered(at_once)
                    .collect()
                    .await;
            for member in joins {
                members.push(member?);
            }
        }
        Kind::Html => {
            let mut room_id = String::new();
            for (j, url) in urls.iter().enumerate() {
                // The start page gives the CSRF cookie and token; creating or joining a room
                // gives the session cookie.
                let (mut cookie, csrf) = csrf_session(client, url, "/").await?;
                if j == 0 {
                    let res =
                        form(client, url, "/rooms", &mut cookie, &[("name", "m0"), ("csrf", &csrf)]).await?;
                    room_id = res.trim_start_matches("/r/").to_owned();
                } else {
                    let name = format!("m{j}");
                    let path = format!("/r/{room_id}/join");
                    form(client, url, &path, &mut cookie, &[("name", &name), ("csrf", &csrf)]).await?;
                }
                if !cookie.contains("c2c_session=") {
                    return Err("no session cookie".into());
                }
                members.push(Member {
                    room,
                    url: url.clone(),
                    auth: Auth::Cookie { room_id: room_id.clone(), cookie },
                });
            }
        }
        Kind::Baseline | Kind::SocketIo => {
            for url in urls {
                members.push(Member { room, url, auth: Auth::Room { name: format!("room{room}") } });
            }
        }
    }
    Ok(members)
}

fn csrf_of(body: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = body.find(marker)? + marker.len();
    Some(body[start..].split('"').next()?.to_owned())
}

/// The cookies a response sets, as a `cookie` header would send them back.
fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect()
}

/// `cookie` with `set` added, each replacing one of the same name.
fn merge_cookies(cookie: &mut String, set: Vec<String>) {
    let mut all: Vec<String> = cookie.split("; ").filter(|c| !c.is_empty()).map(str::to_owned).collect();
    for new in set {
        let name = new.split('=').next().unwrap_or("").to_owned();
        all.retain(|c| c.split('=').next() != Some(name.as_str()));
        all.push(new);
    }
    *cookie = all.join("; ");
}

/// The cookies and the CSRF token of a page.
async fn csrf_session(client: &reqwest::Client, url: &str, path: &str) -> Result<(String, String), String> {
    let res = client.get(format!("{url}{path}")).send().await.map_err(|e| e.to_string())?;
    let mut cookie = String::new();
    merge_cookies(&mut cookie, set_cookies(&res));
    let body = res.text().await.map_err(|e| e.to_string())?;
    Ok((cookie, csrf_of(&body).ok_or("no csrf field")?))
}

async fn form(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    cookie: &mut String,
    fields: &[(&str, &str)],
) -> Result<String, String> {
    let body: String = fields
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", v.replace('%', "%25").replace('&', "%26").replace('+', "%2B").replace(' ', "+"))
        })
        .collect::<Vec<_>>()
        .join("&");
    let res = client
        .post(format!("{url}{path}"))
        .header("cookie", cookie.as_str())
        .header("origin", url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if res.status().as_u16() != 303 {
        return Err(format!("{path}: {}", res.status()));
    }
    merge_cookies(cookie, set_cookies(&res));
    Ok(res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned())
}

/// POSTs `body` as JSON and reads the JSON answer.
async fn post_json(
    client: &reqwest::Client,
    url: String,
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let response = client.post(url).json(&body).send().await.map_err(|e| e.to_string())?;
    response.json().await.map_err(|e| e.to_string())
}
