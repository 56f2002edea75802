//! The Lua scripts, compiled in. Each is `lib.lua` followed by its own body; `redis::Script`
//! runs them with EVALSHA and loads them on a `NOSCRIPT` miss (after a Redis restart).

use redis::Script;

const LIB: &str = include_str!("scripts/lib.lua");

/// Every script the backend runs.
pub struct Scripts {
    pub create: Script,
    pub join: Script,
    pub touch: Script,
    pub beat: Script,
    pub disconnect: Script,
    pub leave: Script,
    pub retitle: Script,
    pub lock: Script,
    pub remove: Script,
    pub end: Script,
    pub post: Script,
    pub act: Script,
    pub sweep: Script,
    pub snapshot: Script,
    pub history: Script,
    pub page: Script,
    pub member: Script,
    pub token: Script,
    pub check_token: Script,
    /// Pops due rooms off the sweep list (single key, no room keys).
    pub due: Script,
    /// Spends a named allowance (single key, no room keys).
    pub allow: Script,
}

/// The scripts' publish command: `SPUBLISH` on a cluster (the room's channel stays on the shard
/// that owns its slot), `PUBLISH` on one Redis.
fn publish_command(sharded: bool) -> &'static str {
    if sharded { "local PUBLISH = 'SPUBLISH'" } else { "local PUBLISH = 'PUBLISH'" }
}

impl Scripts {
    /// The scripts for one Redis, or for a cluster (`sharded`).
    pub fn load(sharded: bool) -> Self {
        let head = publish_command(sharded);
        let with_lib = |body: &str| Script::new(&format!("{head}\n{LIB}\n{body}"));
        Self {
            create: with_lib(include_str!("scripts/create.lua")),
            join: with_lib(include_str!("scripts/join.lua")),
            retitle: with_lib(include_str!("scripts/retitle.lua")),
            lock: with_lib(include_str!("scripts/lock.lua")),
            remove: with_lib(include_str!("scripts/remove.lua")),
            end: with_lib(include_str!("scripts/end.lua")),
            touch: with_lib(include_str!("scripts/touch.lua")),
            beat: with_lib(include_str!("scripts/beat.lua")),
            disconnect: with_lib(include_str!("scripts/disconnect.lua")),
            leave: with_lib(include_str!("scripts/leave.lua")),
            post: with_lib(include_str!("scripts/post.lua")),
            act: with_lib(include_str!("scripts/act.lua")),
            sweep: with_lib(include_str!("scripts/sweep.lua")),
            snapshot: with_lib(include_str!("scripts/snapshot.lua")),
            history: with_lib(include_str!("scripts/history.lua")),
            page: with_lib(include_str!("scripts/page.lua")),
            member: with_lib(include_str!("scripts/member.lua")),
            token: with_lib(include_str!("scripts/token.lua")),
            check_token: with_lib(include_str!("scripts/check_token.lua")),
            due: Script::new(include_str!("scripts/due.lua")),
            allow: with_lib(include_str!("scripts/allow.lua")),
        }
    }
}
