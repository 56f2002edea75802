//! The Lua scripts, compiled in. Each is the helpers of `lib.lua` it uses followed by its own
//! body; `redis::Script` runs them with EVALSHA and loads them on a `NOSCRIPT` miss (after a
//! Redis restart). Only the helpers a script uses: Redis defines every helper a script carries
//! at each call (docs/performance.md, "What is left").
//!
//! On one Redis a room script names one key, the room's info hash, and derives the others. On
//! a cluster it declares every key of the room and of the members it acts for
//! ([`RoomScript::keys`]): while an operator moves the room's slot, Redis then runs the script
//! only on the node that holds all of them and answers `ASK`/`TRYAGAIN` (the client retries)
//! otherwise, so a script never runs half on keys that already moved (docs/redis.md).

use redis::Script;

use crate::domain::RoomId;

const LIB: &str = include_str!("scripts/lib.lua");

/// The keys of a room, as `ROOM_KEYS` in `lib.lua` lists them (a test keeps the two equal).
pub const ROOM_KEYS: [&str; 12] = [
    "info", "members", "names", "keys", "order", "taken", "presence", "conns", "messages", "cids", "removed",
    "state",
];
/// The keys of one member of a room (`uk` in `lib.lua`).
const MEMBER_KEYS: [&str; 3] = ["session", "conns", "tokens"];

/// Which script arguments name members whose keys the script touches.
#[derive(Clone, Copy)]
enum Members {
    /// None (or every member, which cannot be declared: such scripts are idempotent and
    /// retried by their callers).
    Undeclared,
    /// `ARGV[2]`.
    Actor,
    /// `ARGV[2]` and `ARGV[3]` (the owner and the member removed).
    ActorAndTarget,
    /// `ARGV[5]`, `ARGV[7]`, … (heartbeats: user, connection pairs after four arguments).
    Pairs,
}

/// A script that works on one room.
pub struct RoomScript {
    pub script: Script,
    members: Members,
    /// Whether it stores something a person is told about (a message, a join, a rename…): on a
    /// cluster, such writes wait for a replica before they are acknowledged.
    pub kept: bool,
}

impl RoomScript {
    /// Every key the script may touch for `room` with `args`: the room's keys and those of
    /// the members its arguments name.
    pub fn keys(&self, room: &RoomId, args: &[&str]) -> Vec<String> {
        let members: Vec<&str> = match self.members {
            Members::Undeclared => Vec::new(),
            Members::Actor => args.get(1).copied().into_iter().collect(),
            Members::ActorAndTarget => args.iter().skip(1).take(2).copied().collect(),
            Members::Pairs => args.iter().skip(4).step_by(2).copied().collect(),
        };
        let mut keys = Vec::with_capacity(ROOM_KEYS.len() + MEMBER_KEYS.len() * members.len());
        keys.extend(ROOM_KEYS.iter().map(|suffix| format!("room:{{{room}}}:{suffix}")));
        for member in members {
            keys.extend(MEMBER_KEYS.iter().map(|suffix| format!("user:{{{room}}}:{member}:{suffix}")));
        }
        keys
    }
}

/// `lib.lua` cut into its top-level definitions, in order: each one's name and text (with the
/// comments above it). A definition is a `local function` (one line, or up to a line `end`) or
/// a one-line `local NAME = …`.
fn lib_definitions() -> Vec<(&'static str, String)> {
    let mut defs = Vec::new();
    let mut text = String::new();
    let mut open: Option<&'static str> = None;
    for line in LIB.lines() {
        text.push_str(line);
        text.push('\n');
        if let Some(name) = open {
            if line == "end" {
                defs.push((name, std::mem::take(&mut text)));
                open = None;
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("local function ").or_else(|| line.strip_prefix("local ")) else {
            continue; // a comment or a blank line: kept with the next definition
        };
        let name = rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or(rest);
        if line.starts_with("local function ") && !line.ends_with(" end") {
            open = Some(name);
        } else {
            defs.push((name, std::mem::take(&mut text)));
        }
    }
    defs
}

/// The identifiers in Lua source (and in its comments and strings: a few more helpers than
/// needed at worst).
fn identifiers(source: &str) -> std::collections::HashSet<&str> {
    source.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect()
}

/// The definitions (of `lib.lua`: [`lib_definitions`]) that `body` uses, directly or through
/// another, in their order. A definition can only use those above it (Lua locals), so one pass
/// from the bottom up finds them all.
fn helpers_for(defs: &[(&str, String)], body: &str) -> String {
    let mut used = identifiers(body);
    let mut keep = vec![false; defs.len()];
    for (i, (name, text)) in defs.iter().enumerate().rev() {
        if used.contains(name) {
            keep[i] = true;
            used.extend(identifiers(text));
        }
    }
    defs.iter().zip(keep).filter(|(_, kept)| *kept).map(|((_, text), _)| text.as_str()).collect()
}

/// Every script the backend runs.
pub struct Scripts {
    pub create: RoomScript,
    pub join: RoomScript,
    pub touch: RoomScript,
    pub beat: RoomScript,
    pub disconnect: RoomScript,
    pub leave: RoomScript,
    pub retitle: RoomScript,
    pub lock: RoomScript,
    pub remove: RoomScript,
    pub end: RoomScript,
    pub post: RoomScript,
    pub act: RoomScript,
    pub sweep: RoomScript,
    pub snapshot: RoomScript,
    pub history: RoomScript,
    pub page: RoomScript,
    pub member: RoomScript,
    pub token: RoomScript,
    pub check_token: RoomScript,
    /// Pops due rooms off the sweep list (single key, no room keys).
    pub due: Script,
    /// Spends a named allowance (single key, no room keys).
    pub allow: Script,
}

impl Scripts {
    /// The scripts, publishing with `publish` (`PUBLISH`, or `SPUBLISH` on a cluster:
    /// `conn::Link::publish_command`).
    pub fn load(publish: &str) -> Self {
        let defs = lib_definitions();
        let with_lib = |body: &str| {
            Script::new(&format!("local PUBLISH = '{publish}'\n{}\n{body}", helpers_for(&defs, body)))
        };
        let room =
            |body: &str, members: Members, kept: bool| RoomScript { script: with_lib(body), members, kept };
        use Members::{Actor, ActorAndTarget, Pairs, Undeclared};
        Self {
            create: room(include_str!("scripts/create.lua"), Actor, true),
            join: room(include_str!("scripts/join.lua"), Actor, true),
            retitle: room(include_str!("scripts/retitle.lua"), Actor, true),
            lock: room(include_str!("scripts/lock.lua"), Actor, true),
            remove: room(include_str!("scripts/remove.lua"), ActorAndTarget, true),
            end: room(include_str!("scripts/end.lua"), Undeclared, true),
            touch: room(include_str!("scripts/touch.lua"), Actor, false),
            beat: room(include_str!("scripts/beat.lua"), Pairs, false),
            disconnect: room(include_str!("scripts/disconnect.lua"), Actor, false),
            leave: room(include_str!("scripts/leave.lua"), Actor, true),
            post: room(include_str!("scripts/post.lua"), Actor, true),
            act: room(include_str!("scripts/act.lua"), Actor, true),
            sweep: room(include_str!("scripts/sweep.lua"), Undeclared, false),
            snapshot: room(include_str!("scripts/snapshot.lua"), Undeclared, false),
            history: room(include_str!("scripts/history.lua"), Undeclared, false),
            page: room(include_str!("scripts/page.lua"), Undeclared, false),
            member: room(include_str!("scripts/member.lua"), Actor, false),
            token: room(include_str!("scripts/token.lua"), Actor, true),
            check_token: room(include_str!("scripts/check_token.lua"), Actor, false),
            due: Script::new(include_str!("scripts/due.lua")),
            allow: with_lib(include_str!("scripts/allow.lua")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quoted suffixes after `prefix` in `source`: `rk(R, 'names')` → `names`.
    fn suffixes<'a>(source: &'a str, prefix: &str) -> Vec<&'a str> {
        source.split(prefix).skip(1).filter_map(|rest| rest.split_once('\'').map(|(s, _)| s)).collect()
    }

    #[test]
    fn lib_lua_is_cut_into_whole_definitions() {
        let defs = lib_definitions();
        let names: Vec<&str> = defs.iter().map(|(name, _)| *name).collect();
        assert!(names.len() > 25, "{names:?}");
        for name in ["now_ms", "rk", "ROOM_KEYS", "touch_one", "quote"] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        // Nothing is lost but trailing comments.
        let joined: String = defs.iter().map(|(_, text)| text.as_str()).collect();
        assert_eq!(joined.trim_end(), LIB.trim_end());
    }

    #[test]
    fn a_script_carries_the_helpers_it_uses_and_what_they_use() {
        let defs = lib_definitions();
        let beat = helpers_for(&defs, include_str!("scripts/beat.lua"));
        // Directly, and through touch_one → add_conn → live_until → conn_entry.
        for used in [
            "local function touch_one(",
            "local function add_conn(",
            "local function live_until(",
            "local function rk(",
        ] {
            assert!(beat.contains(used), "{used}");
        }
        assert!(!beat.contains("local function depart("), "not used by beat.lua");
        assert!(helpers_for(&defs, "return 1").is_empty());
    }

    #[test]
    fn the_declared_keys_are_the_ones_the_scripts_use() {
        let listed = LIB
            .lines()
            .find_map(|line| line.strip_prefix("local ROOM_KEYS = { "))
            .and_then(|rest| rest.strip_suffix(" }"))
            .map(|list| list.split(", ").map(|k| k.trim_matches('\'')).collect::<Vec<_>>());
        assert_eq!(listed.as_deref(), Some(&ROOM_KEYS[..]), "lib.lua's ROOM_KEYS");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/backend/redis/scripts");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for suffix in suffixes(&source, "rk(R, '") {
                assert!(ROOM_KEYS.contains(&suffix), "room key {suffix:?} is not declared");
                seen += 1;
            }
            for prefix in ["uk(R, U, '", "uk(R, M, '", "uk(R, T, '"] {
                for suffix in suffixes(&source, prefix) {
                    assert!(MEMBER_KEYS.contains(&suffix), "member key {suffix:?} is not declared");
                    seen += 1;
                }
            }
        }
        assert!(seen > 50, "the scripts were read ({seen} keys)");
    }

    #[test]
    fn a_script_declares_its_room_and_the_members_it_acts_for() {
        let room = RoomId::generate();
        let scripts = Scripts::load("SPUBLISH");
        let post = scripts.post.keys(&room, &[room.as_str(), "u1", "hello"]);
        assert_eq!(post.len(), ROOM_KEYS.len() + MEMBER_KEYS.len());
        assert!(post.contains(&format!("user:{{{room}}}:u1:tokens")));
        let remove = scripts.remove.keys(&room, &[room.as_str(), "owner", "them", "0"]);
        assert!(remove.contains(&format!("user:{{{room}}}:them:session")));
        let beat = scripts.beat.keys(&room, &[room.as_str(), "node", "1", "2", "u1", "c1", "u2", "c2"]);
        assert_eq!(beat.len(), ROOM_KEYS.len() + 2 * MEMBER_KEYS.len());
        assert!(beat.iter().all(|k| k.contains(&format!("{{{room}}}"))), "one slot");
    }
}
