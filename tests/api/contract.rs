//! The backend contract: every behaviour the app relies on, run against every `Backend`
//! implementation, so the two cannot drift apart (docs/architecture.md). `backend_contract!`
//! instantiates the suite for one implementation: a factory making two handles on one shared state, and whether tokio's
//! clock may be paused (in-process) or TTLs run in real time (services).

use std::sync::Arc;
use std::time::Duration;

use c2c::backend::{Backend, BackendConfig};
use c2c::domain::{DisplayName, Limits, MessageText, PresenceChange, RoomEvent};
use tokio::sync::broadcast;

/// Short timings so the suite runs quickly in real time too.
pub fn contract_config() -> BackendConfig {
    BackendConfig {
        presence_ttl: Duration::from_secs(2),
        room_idle_ttl: Duration::from_secs(4),
        history_len: 5,
        sweep_interval: Duration::from_millis(200),
        message_rate: Limits::default().send_rate(),
        // Short, so a test can outwait it (on the wall clock: messages carry wall-clock times).
        edit_window: Duration::from_secs(1),
    }
}

pub fn name(s: &str) -> DisplayName {
    DisplayName::parse(s, &Limits::default()).unwrap()
}

/// A room's name and topic.
pub fn meta(name: Option<&str>, topic: Option<&str>) -> c2c::domain::RoomMeta {
    let title = |s: &str| c2c::domain::RoomTitle::from_stored(s.to_owned());
    c2c::domain::RoomMeta { name: name.map(title), topic: topic.map(title) }
}

pub fn text(s: &str) -> MessageText {
    MessageText::parse(s, &Limits::default()).unwrap()
}

/// Receives events until one matches `pred`, failing after a few seconds.
pub async fn expect_event(
    rx: &mut broadcast::Receiver<Arc<RoomEvent>>,
    pred: impl Fn(&RoomEvent) -> bool,
) -> Arc<RoomEvent> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ev =
            tokio::time::timeout_at(deadline, rx.recv()).await.expect("event in time").expect("open stream");
        if pred(&ev) {
            return ev;
        }
    }
}

pub fn is_presence(user: &c2c::domain::UserId, want: PresenceChange) -> impl Fn(&RoomEvent) -> bool + '_ {
    move |ev| matches!(ev, RoomEvent::Presence { member, change, .. } if &member.user == user && *change == want)
}

/// Sleeps past a TTL (instantly when the clock is paused).
pub async fn pass(d: Duration) {
    tokio::time::sleep(d + Duration::from_millis(700)).await;
}

#[macro_export]
macro_rules! backend_contract {
    ($suite:ident, paused = $paused:literal, $pair:expr) => {
        mod $suite {
            #[allow(unused_imports)]
            use super::*;
            use c2c::backend::{Backend, BackendConfig, BackendError};
            use c2c::domain::{ClientMsgId, ConnId, PresenceChange, RoomEvent, RoomId};
            use std::sync::Arc;
            #[allow(unused_imports)]
            use $crate::contract::*;

            async fn pair() -> (Arc<dyn Backend>, Arc<dyn Backend>) {
                ($pair)(contract_config()).await
            }

            async fn one() -> Arc<dyn Backend> {
                pair().await.0
            }

            /// A pair keeping `history_len` entries (actions are entries too).
            async fn pair_keeping(history_len: usize) -> (Arc<dyn Backend>, Arc<dyn Backend>) {
                ($pair)(BackendConfig { history_len, ..contract_config() }).await
            }

            #[tokio::test(start_paused = $paused)]
            async fn creator_is_an_online_member() {
                let b = one().await;
                let (room, user) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let snap = b.room(&room).await.unwrap();
                assert_eq!(snap.members.len(), 1);
                assert_eq!(snap.members[0].user, user);
                assert_eq!(snap.members[0].name.as_str(), "Alice");
                assert!(snap.members[0].online);
                assert!(snap.idle_expires_at.is_none());
                assert_eq!(b.member(&room, &user).await.unwrap().name.as_str(), "Alice");
            }

            #[tokio::test(start_paused = $paused)]
            async fn a_big_room_s_snapshot_lists_who_is_online_with_the_counts() {
                use c2c::backend::MEMBER_PAGE;
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut joined = Vec::new();
                for i in 0..MEMBER_PAGE + 20 {
                    joined.push(b.join(&room, name(&format!("m{i}"))).await.unwrap());
                }
                // Everyone joined online (their page views); all but every fourth go away.
                for (i, user) in joined.iter().enumerate() {
                    if i % 4 != 0 {
                        b.disconnect(&room, user, &ConnId::page()).await.unwrap();
                    }
                }
                let snap = b.room(&room).await.unwrap();
                let online: Vec<_> = std::iter::once(&alice).chain(joined.iter().step_by(4)).collect();
                assert_eq!((snap.member_count, snap.online_count), (MEMBER_PAGE + 21, online.len()));
                assert!(!snap.lists_everyone());
                let listed: Vec<_> = snap.members.iter().map(|m| &m.user).collect();
                assert_eq!(listed, online, "the online members, in join order");
                assert!(snap.members.iter().all(|m| m.online));

                // More online than a page: a page of them, in join order.
                for user in &joined {
                    b.touch(&room, user, &ConnId::page()).await.unwrap();
                }
                let snap = b.room(&room).await.unwrap();
                assert_eq!((snap.member_count, snap.online_count), (MEMBER_PAGE + 21, MEMBER_PAGE + 21));
                assert_eq!(snap.members.len(), MEMBER_PAGE);
                let mut positions: Vec<usize> = snap
                    .members
                    .iter()
                    .map(|m| std::iter::once(&alice).chain(&joined).position(|u| *u == m.user).unwrap())
                    .collect();
                let sorted = { let mut p = positions.clone(); p.sort_unstable(); p };
                assert_eq!(positions, sorted, "in join order");
                positions.dedup();
                assert_eq!(positions.len(), MEMBER_PAGE);

                // A small room lists everyone, online or not.
                let (small, _) = b.create_room(name("Carol"), Default::default()).await.unwrap();
                let dave = b.join(&small, name("Dave")).await.unwrap();
                b.disconnect(&small, &dave, &ConnId::page()).await.unwrap();
                let snap = b.room(&small).await.unwrap();
                assert_eq!((snap.members.len(), snap.member_count, snap.online_count), (2, 2, 1));
                assert!(snap.lists_everyone());
            }

            #[tokio::test(start_paused = $paused)]
            async fn a_big_room_s_joins_and_leaves_write_no_notice() {
                use c2c::backend::MEMBER_PAGE;
                use c2c::domain::EntryKind;
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut joined = Vec::new();
                for i in 0..MEMBER_PAGE + 1 {
                    joined.push(b.join(&room, name(&format!("m{i}"))).await.unwrap());
                }
                let last = |h: c2c::backend::History| {
                    h.messages.last().map(|m| (m.kind, m.name.as_str().to_owned(), m.seq)).unwrap()
                };
                // Joins up to a page of members are noticed; the two past it are not.
                let noticed = last(b.history(&room, 0).await.unwrap());
                assert_eq!((noticed.0, noticed.1.as_str()), (EntryKind::Joined, format!("m{}", MEMBER_PAGE - 2).as_str()));
                // The member list still hears of them.
                let mut events = b.subscribe(&room).await.unwrap().events;
                let late = b.join(&room, name("Late")).await.unwrap();
                let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
                assert!(matches!(&*event, RoomEvent::Presence { member, change: PresenceChange::Joined, .. } if member.user == late));
                b.post(&room, &alice, text("hi"), vec![], None, None).await.unwrap();
                b.leave(&room, &late).await.unwrap();
                b.leave(&room, &joined[MEMBER_PAGE]).await.unwrap();
                b.leave(&room, &joined[MEMBER_PAGE - 1]).await.unwrap();
                let quiet = last(b.history(&room, 0).await.unwrap());
                assert_eq!((quiet.0, quiet.2), (EntryKind::Text, noticed.2 + 1), "quiet leaves of a big room");
                // Back to a page of members: leaving is noticed again, and a removal always is.
                b.leave(&room, &joined[MEMBER_PAGE - 2]).await.unwrap();
                let left = last(b.history(&room, 0).await.unwrap());
                assert_eq!((left.0, left.1.as_str()), (EntryKind::Left, format!("m{}", MEMBER_PAGE - 2).as_str()));
                b.join(&room, name("Again1")).await.unwrap();
                b.join(&room, name("Again2")).await.unwrap();
                b.remove(&room, &alice, &joined[0], c2c::domain::now_millis() + 60_000).await.unwrap();
                assert_eq!(last(b.history(&room, 0).await.unwrap()).0, EntryKind::Removed);
            }

            #[tokio::test(start_paused = $paused)]
            async fn unknown_rooms_are_not_found() {
                let b = one().await;
                let room = RoomId::generate();
                let user = c2c::domain::UserId::generate();
                assert!(matches!(b.room(&room).await, Err(BackendError::RoomNotFound)));
                assert!(matches!(b.join(&room, name("x")).await, Err(BackendError::RoomNotFound)));
                assert!(matches!(b.history(&room, 0).await, Err(BackendError::RoomNotFound)));
                assert!(matches!(
                    b.post(&room, &user, text("x"), vec![], None, None).await,
                    Err(BackendError::RoomNotFound)
                ));
                assert!(matches!(b.subscribe(&room).await, Err(BackendError::RoomNotFound)));
            }

            #[tokio::test(start_paused = $paused)]
            async fn joins_are_published_across_handles() {
                let (a, b) = pair().await;
                let (room, _) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut sub = b.subscribe(&room).await.unwrap();
                let bob = a.join(&room, name("Bob")).await.unwrap();
                let ev = expect_event(&mut sub.events, is_presence(&bob, PresenceChange::Joined)).await;
                let RoomEvent::Presence { member, .. } = ev.as_ref() else { unreachable!() };
                assert_eq!(member.name.as_str(), "Bob");
                assert!(member.online);
                assert_eq!(b.room(&room).await.unwrap().members.len(), 2);
            }

            #[tokio::test(start_paused = $paused)]
            async fn present_names_are_unique_ignoring_case() {
                let b = one().await;
                let (room, _) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                assert!(matches!(b.join(&room, name("alice")).await, Err(BackendError::NameTaken)));
                assert!(matches!(b.join(&room, name("ALICE")).await, Err(BackendError::NameTaken)));
                assert!(b.join(&room, name("Alice2")).await.is_ok());
            }

            #[tokio::test(start_paused = $paused)]
            async fn presence_expires_without_heartbeat() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut sub = b.subscribe(&room).await.unwrap();
                pass(contract_config().presence_ttl).await;
                expect_event(&mut sub.events, is_presence(&alice, PresenceChange::Offline)).await;
                assert!(!b.member(&room, &alice).await.unwrap().online);
            }

            #[tokio::test(start_paused = $paused)]
            async fn heartbeats_keep_presence() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let conn = ConnId::generate();
                let ttl = contract_config().presence_ttl;
                b.touch(&room, &alice, &conn).await.unwrap();
                for _ in 0..6 {
                    tokio::time::sleep(ttl / 3).await;
                    b.heartbeat(&room, &alice, &conn).await.unwrap();
                }
                assert!(b.member(&room, &alice).await.unwrap().online);
            }

            #[tokio::test(start_paused = $paused)]
            async fn heartbeats_arriving_together_each_get_their_own_answer() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut members = vec![(alice, ConnId::generate())];
                for n in ["Bob", "Carol", "Dan"] {
                    members.push((a.join(&room, name(n)).await.unwrap(), ConnId::generate()));
                }
                for (user, conn) in &members {
                    b.touch(&room, user, conn).await.unwrap();
                }
                let stranger = (c2c::domain::UserId::generate(), ConnId::generate());
                let ttl = contract_config().presence_ttl;
                for _ in 0..4 {
                    tokio::time::sleep(ttl / 3).await;
                    let beats =
                        members.iter().chain([&stranger]).map(|(user, conn)| b.heartbeat(&room, user, conn));
                    let results = futures_util::future::join_all(beats).await;
                    let (stranger_result, member_results) = results.split_last().unwrap();
                    assert!(member_results.iter().all(Result::is_ok), "{member_results:?}");
                    assert!(matches!(stranger_result, Err(BackendError::NotAMember)));
                }
                let snap = a.room(&room).await.unwrap();
                assert_eq!(snap.online_count, 4, "every member kept online past the TTL");
                let gone = RoomId::generate();
                assert!(matches!(
                    b.heartbeat(&gone, &members[0].0, &members[0].1).await,
                    Err(BackendError::RoomNotFound)
                ));
            }

            #[tokio::test(start_paused = $paused)]
            async fn a_room_s_heartbeats_in_one_call_answer_each_connection() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut conns = vec![(alice, ConnId::generate())];
                // More than one script call's worth on Redis (a hundred connections each).
                for n in 0..120 {
                    conns.push((a.join(&room, name(&format!("m{n}"))).await.unwrap(), ConnId::generate()));
                }
                for (user, conn) in &conns {
                    b.touch(&room, user, conn).await.unwrap();
                }
                let stranger = (c2c::domain::UserId::generate(), ConnId::generate());
                conns.insert(60, stranger);
                let ttl = contract_config().presence_ttl;
                for _ in 0..4 {
                    tokio::time::sleep(ttl / 3).await;
                    let refreshed = b.heartbeats(&room, &conns).await.unwrap();
                    assert_eq!(refreshed.len(), conns.len());
                    assert!(refreshed.iter().enumerate().all(|(i, r)| *r == (i != 60)), "{refreshed:?}");
                }
                assert_eq!(a.room(&room).await.unwrap().online_count, 121, "every member kept online past the TTL");
                // A live connection of a member who left is refused, not refreshed.
                a.leave(&room, &conns[1].0).await.unwrap();
                let refreshed = b.heartbeats(&room, &conns).await.unwrap();
                assert!(refreshed.iter().enumerate().all(|(i, r)| *r == (i != 1 && i != 60)), "{refreshed:?}");
                assert_eq!(a.room(&room).await.unwrap().online_count, 120);
                assert!(matches!(
                    b.heartbeats(&RoomId::generate(), &conns[..1]).await,
                    Err(BackendError::RoomNotFound)
                ));
            }

            #[tokio::test(start_paused = $paused)]
            async fn a_heartbeat_brings_an_expired_member_back_online() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                pass(contract_config().presence_ttl).await;
                let mut sub = a.subscribe(&room).await.unwrap();
                let other = a.join(&room, name("alice")).await.expect("offline name is free");
                b.heartbeat(&room, &alice, &ConnId::generate()).await.unwrap();
                let ev = expect_event(&mut sub.events, is_presence(&alice, PresenceChange::Online)).await;
                let RoomEvent::Presence { member, .. } = ev.as_ref() else { unreachable!() };
                assert_eq!(member.name.as_str(), "Alice 2");
                assert_eq!(a.member(&room, &other).await.unwrap().name.as_str(), "alice");
            }

            #[tokio::test(start_paused = $paused)]
            async fn two_tabs_stay_online_until_the_last_closes() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let (tab1, tab2) = (ConnId::generate(), ConnId::generate());
                a.touch(&room, &alice, &tab1).await.unwrap();
                b.touch(&room, &alice, &tab2).await.unwrap();
                // The page-view presence of creation expires; the tabs keep heartbeating.
                let ttl = contract_config().presence_ttl;
                for _ in 0..4 {
                    tokio::time::sleep(ttl / 3).await;
                    a.touch(&room, &alice, &tab1).await.unwrap();
                    b.touch(&room, &alice, &tab2).await.unwrap();
                }
                let mut sub = a.subscribe(&room).await.unwrap();
                a.disconnect(&room, &alice, &tab1).await.unwrap();
                assert!(b.member(&room, &alice).await.unwrap().online, "one tab still open");
                b.disconnect(&room, &alice, &tab2).await.unwrap();
                expect_event(&mut sub.events, is_presence(&alice, PresenceChange::Offline)).await;
                assert!(!a.member(&room, &alice).await.unwrap().online);
            }

            #[tokio::test(start_paused = $paused)]
            async fn a_tab_that_stopped_beating_does_not_keep_its_member_online() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let (crashed, open) = (ConnId::generate(), ConnId::generate());
                a.touch(&room, &alice, &crashed).await.unwrap();
                b.touch(&room, &alice, &open).await.unwrap();
                let ttl = contract_config().presence_ttl;
                for _ in 0..5 {
                    tokio::time::sleep(ttl / 3).await;
                    assert_eq!(b.heartbeats(&room, &[(alice.clone(), open.clone())]).await.unwrap(), [true]);
                    assert!(a.member(&room, &alice).await.unwrap().online, "the open tab keeps her online");
                }
                let mut sub = a.subscribe(&room).await.unwrap();
                b.disconnect(&room, &alice, &open).await.unwrap();
                expect_event(&mut sub.events, is_presence(&alice, PresenceChange::Offline)).await;
                assert!(!a.member(&room, &alice).await.unwrap().online, "the silent tab counts for nothing");
            }

            #[tokio::test(start_paused = $paused)]
            async fn an_offline_name_can_be_taken_and_its_owner_returns_numbered() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                pass(contract_config().presence_ttl).await;
                let other = b.join(&room, name("alice")).await.expect("offline name is free");
                let back = b.touch(&room, &alice, &ConnId::generate()).await.unwrap();
                assert_eq!(back.name.as_str(), "Alice 2");
                assert!(back.online);
                assert_eq!(b.member(&room, &other).await.unwrap().name.as_str(), "alice");
            }

            #[tokio::test(start_paused = $paused)]
            async fn messages_get_increasing_sequence_numbers_and_fan_out() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut sub = b.subscribe(&room).await.unwrap();
                let m1 = a.post(&room, &alice, text("one"), vec![], None, None).await.unwrap();
                let m2 = a.post(&room, &alice, text("two"), vec![], None, None).await.unwrap();
                assert_eq!((m1.seq, m2.seq), (1, 2));
                for want in ["one", "two"] {
                    let ev = expect_event(&mut sub.events, |e| matches!(e, RoomEvent::Message(_))).await;
                    let RoomEvent::Message(m) = ev.as_ref() else { unreachable!() };
                    assert_eq!(m.text.as_str(), want);
                    assert_eq!(m.name.as_str(), "Alice");
                }
            }

            #[tokio::test(start_paused = $paused)]
            async fn history_is_capped_and_says_when_truncated() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                for i in 1..=7 {
                    b.post(&room, &alice, text(&format!("m{i}")), vec![], None, None).await.unwrap();
                }
                let all = b.history(&room, 0).await.unwrap();
                let seqs: Vec<u64> = all.messages.iter().map(|m| m.seq).collect();
                assert_eq!(seqs, [3, 4, 5, 6, 7]);
                assert!(all.truncated, "m1 and m2 fell out");
                let after5 = b.history(&room, 5).await.unwrap();
                assert_eq!(after5.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [6, 7]);
                assert!(!after5.truncated);
                let after1 = b.history(&room, 1).await.unwrap();
                assert!(after1.truncated, "m2 is gone");
                assert!(b.history(&room, 7).await.unwrap().messages.is_empty());
                // Positions past the end ask for nothing new, however large.
                for after in [8, 100_000_000_000_000, u64::MAX] {
                    let past = b.history(&room, after).await.unwrap();
                    assert!(past.messages.is_empty() && !past.truncated, "after {after}");
                }
            }

            #[tokio::test(start_paused = $paused)]
            async fn a_member_s_allowance_is_one_over_every_handle() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let (mut stored, mut limited, mut last) = (0, 0, 0);
                for i in 0..16 {
                    let handle = if i % 2 == 0 { &a } else { &b };
                    let cid = ClientMsgId::parse(&format!("m{i}"));
                    match handle.post(&room, &alice, text(&format!("m{i}")), vec![], cid, None).await {
                        Ok(m) => {
                            stored += 1;
                            last = i;
                            assert_eq!(m.seq, stored);
                        }
                        Err(BackendError::RateLimited(wait)) => {
                            limited += 1;
                            assert!(wait > Duration::ZERO && wait <= Duration::from_millis(200), "{wait:?}");
                        }
                        Err(other) => panic!("{other}"),
                    }
                }
                assert!((10..=11).contains(&stored), "{stored} stored of a burst of 10");
                assert_eq!(stored + limited, 16);
                // A message sent again (the same client id) was stored already: no refusal.
                let cid = ClientMsgId::parse(&format!("m{last}"));
                let again = a.post(&room, &alice, text(&format!("m{last}")), vec![], cid, None).await.unwrap();
                assert_eq!(again.seq, stored);
                // Another member has an allowance of their own.
                let bob = a.join(&room, name("Bob")).await.unwrap();
                assert!(b.post(&room, &bob, text("hi"), vec![], None, None).await.is_ok());
            }

            #[tokio::test(start_paused = $paused)]
            async fn named_allowances_are_one_over_every_handle() {
                let (a, b) = pair().await;
                let rate = c2c::support::Rate::per_minute(3);
                let bucket = format!("test:{}", RoomId::generate());
                for handle in [&a, &b, &a] {
                    handle.spend(&bucket, rate).await.unwrap();
                }
                match b.spend(&bucket, rate).await {
                    Err(BackendError::RateLimited(wait)) => {
                        assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20), "{wait:?}")
                    }
                    other => panic!("{other:?}"),
                }
                a.spend(&format!("{bucket}-other"), rate).await.unwrap();
            }

            #[tokio::test(start_paused = $paused)]
            async fn a_client_id_is_stored_once() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let cid = ClientMsgId::parse("abc123").unwrap();
                let first = b.post(&room, &alice, text("hi"), vec![], Some(cid.clone()), None).await.unwrap();
                let again = b.post(&room, &alice, text("hi"), vec![], Some(cid), None).await.unwrap();
                assert_eq!(first.seq, again.seq);
                assert_eq!(b.history(&room, 0).await.unwrap().messages.len(), 1);
            }

            #[tokio::test(start_paused = $paused)]
            async fn leaving_removes_the_member_but_keeps_messages() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let bob = b.join(&room, name("Bob")).await.unwrap();
                b.post(&room, &bob, text("bye"), vec![], None, None).await.unwrap();
                let mut sub = b.subscribe(&room).await.unwrap();
                b.leave(&room, &bob).await.unwrap();
                expect_event(&mut sub.events, is_presence(&bob, PresenceChange::Left)).await;
                assert!(matches!(b.member(&room, &bob).await, Err(BackendError::NotAMember)));
                assert!(matches!(
                    b.post(&room, &bob, text("x"), vec![], None, None).await,
                    Err(BackendError::NotAMember)
                ));
                let history = b.history(&room, 0).await.unwrap().messages;
                let kinds: Vec<(c2c::domain::EntryKind, &str)> =
                    history.iter().map(|m| (m.kind, m.name.as_str())).collect();
                assert_eq!(
                    kinds,
                    [
                        (c2c::domain::EntryKind::Joined, "Bob"),
                        (c2c::domain::EntryKind::Text, "Bob"),
                        (c2c::domain::EntryKind::Left, "Bob")
                    ],
                    "join and leave notices are part of the history, in order"
                );
                assert!(history.windows(2).all(|w| w[1].seq == w[0].seq + 1), "numbered like messages");
                assert_eq!(b.room(&room).await.unwrap().members.len(), 1);
                assert!(b.member(&room, &alice).await.is_ok());
            }

            #[tokio::test(start_paused = $paused)]
            async fn rooms_have_a_name_a_topic_and_an_owner_who_passes_it_on() {
                let (a, b) = pair().await;
                let (room, alice) =
                    a.create_room(name("Alice"), meta(Some("Team lunch"), None)).await.unwrap();
                let bob = a.join(&room, name("Bob")).await.unwrap();
                a.join(&room, name("Carol")).await.unwrap();
                let snap = b.room(&room).await.unwrap();
                assert_eq!(snap.meta, meta(Some("Team lunch"), None));
                assert_eq!((snap.owner, snap.creator.as_str()), (Some(alice.clone()), "Alice"));
                let new = meta(Some("Dinner"), Some("Fridays at 7"));
                assert!(matches!(b.retitle(&room, &bob, new.clone()).await, Err(BackendError::NotOwner)));
                b.retitle(&room, &alice, new.clone()).await.unwrap();
                assert_eq!(a.room(&room).await.unwrap().meta, new);
                a.leave(&room, &alice).await.unwrap();
                assert_eq!(
                    b.room(&room).await.unwrap().owner,
                    Some(bob.clone()),
                    "the longest-present member"
                );
                b.retitle(&room, &bob, meta(None, Some("Fridays at 7"))).await.unwrap();
                let history = a.history(&room, 0).await.unwrap().messages;
                let entries: Vec<(c2c::domain::EntryKind, &str, &str)> =
                    history.iter().map(|m| (m.kind, m.name.as_str(), m.text.as_str())).collect();
                use c2c::domain::EntryKind as K;
                // The two joins fell out of the five kept entries.
                assert_eq!(
                    entries,
                    [
                        (K::Renamed, "Alice", "Dinner"),
                        (K::Topic, "Alice", "Fridays at 7"),
                        (K::Left, "Alice", ""),
                        (K::Owner, "Bob", ""),
                        (K::Renamed, "Bob", ""),
                    ],
                    "{history:?}"
                );
            }

            #[tokio::test(start_paused = $paused)]
            async fn the_owner_locks_removes_and_ends() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let bob = a.join(&room, name("Bob")).await.unwrap();
                assert!(matches!(b.set_locked(&room, &bob, true).await, Err(BackendError::NotOwner)));
                b.set_locked(&room, &alice, true).await.unwrap();
                assert!(a.room(&room).await.unwrap().locked);
                assert!(matches!(a.join(&room, name("Carol")).await, Err(BackendError::Locked)));
                b.set_locked(&room, &alice, false).await.unwrap();
                let carol = a.join(&room, name("Carol")).await.unwrap();
                let mut sub = b.subscribe(&room).await.unwrap();
                let until = c2c::domain::now_millis() + 60_000;
                assert!(matches!(a.remove(&room, &bob, &carol, until).await, Err(BackendError::NotOwner)));
                assert!(matches!(a.remove(&room, &alice, &alice, until).await, Err(BackendError::NotAMember)));
                a.remove(&room, &alice, &bob, until).await.unwrap();
                expect_event(&mut sub.events, |e| {
                    matches!(e, RoomEvent::Message(m) if m.kind == c2c::domain::EntryKind::Removed && m.user == bob && m.text.as_str() == "Alice")
                })
                .await;
                assert!(matches!(b.member(&room, &bob).await, Err(BackendError::NotAMember)));
                assert_eq!(b.removed_until(&room, &bob).await.unwrap(), Some(until));
                assert_eq!(b.removed_until(&room, &carol).await.unwrap(), None);
                assert!(matches!(b.end(&room, &carol).await, Err(BackendError::NotOwner)));
                b.end(&room, &alice).await.unwrap();
                expect_event(&mut sub.events, |e| matches!(e, RoomEvent::Ended)).await;
                assert!(matches!(a.room(&room).await, Err(BackendError::RoomNotFound)));
                assert!(matches!(a.join(&room, name("Dan")).await, Err(BackendError::RoomNotFound)));
            }

            #[tokio::test(start_paused = $paused)]
            async fn history_comes_in_pages() {
                let (a, b) = pair().await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                for i in 1..=7 {
                    a.post(&room, &alice, text(&format!("m{i}")), vec![], None, None).await.unwrap();
                }
                // Five kept (m3..m7), read newest first in pages of two.
                let texts = |h: &c2c::backend::History| h.messages.iter().map(|m| m.text.as_str().to_owned()).collect::<Vec<_>>();
                let page = b.history_page(&room, u64::MAX, 2).await.unwrap();
                assert_eq!((texts(&page), page.more, page.truncated), (vec!["m6".to_owned(), "m7".into()], true, false));
                let page = b.history_page(&room, page.messages[0].seq, 2).await.unwrap();
                assert_eq!((texts(&page), page.more), (vec!["m4".to_owned(), "m5".into()], true));
                let page = b.history_page(&room, page.messages[0].seq, 2).await.unwrap();
                assert_eq!((texts(&page), page.more, page.truncated), (vec!["m3".to_owned()], false, true));
                let page = b.history_page(&room, page.messages[0].seq, 2).await.unwrap();
                assert!(page.messages.is_empty() && !page.more);
            }

            #[tokio::test(start_paused = $paused)]
            async fn renames_spend_the_owner_s_allowance() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let mut stored = 0;
                for i in 0..30 {
                    match b.retitle(&room, &alice, meta(Some(&format!("n{i}")), None)).await {
                        Ok(()) => stored += 1,
                        Err(BackendError::RateLimited(_)) => {}
                        Err(err) => panic!("{err}"),
                    }
                }
                // A burst of 10, and what refills while the loop runs.
                assert!((10..=12).contains(&stored), "{stored} renames stored");
            }

            #[tokio::test(start_paused = $paused)]
            async fn idle_rooms_expire() {
                let b = one().await;
                let (room, _) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let config = contract_config();
                pass(config.presence_ttl).await;
                let snap = b.room(&room).await.unwrap();
                assert!(snap.idle_expires_at.is_some(), "no one online: expiry shown");
                pass(config.room_idle_ttl).await;
                assert!(matches!(b.room(&room).await, Err(BackendError::RoomNotFound)));
            }

            #[tokio::test(start_paused = $paused)]
            async fn coming_back_online_cancels_idle_expiry() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let config = contract_config();
                pass(config.presence_ttl).await;
                assert!(b.room(&room).await.unwrap().idle_expires_at.is_some());
                let conn = ConnId::generate();
                b.touch(&room, &alice, &conn).await.unwrap();
                assert!(b.room(&room).await.unwrap().idle_expires_at.is_none());
                for _ in 0..((config.room_idle_ttl.as_millis() / (config.presence_ttl / 3).as_millis()) + 3) {
                    tokio::time::sleep(config.presence_ttl / 3).await;
                    b.touch(&room, &alice, &conn).await.unwrap();
                }
                assert!(b.room(&room).await.is_ok(), "someone online: the room stays");
            }

            #[tokio::test(start_paused = $paused)]
            async fn tokens_identify_their_member_and_nothing_else() {
                let b = one().await;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let (other, _) = b.create_room(name("Zed"), Default::default()).await.unwrap();
                let token = b.issue_token(&room, &alice).await.unwrap();
                assert!(token.len() > 40);
                assert_eq!(b.token_user(&room, &token).await.unwrap(), Some(alice.clone()));
                assert_eq!(b.token_user(&other, &token).await.unwrap(), None, "another room");
                let (user, _) = token.split_once('.').unwrap();
                let forged = format!("{user}.{}", "A".repeat(32));
                assert_eq!(b.token_user(&room, &forged).await.unwrap(), None);
                assert_eq!(b.token_user(&room, "garbage").await.unwrap(), None);
                let again = b.issue_token(&room, &alice).await.unwrap();
                assert_eq!(b.token_user(&room, &token).await.unwrap(), None, "a new token replaces the old");
                b.leave(&room, &alice).await.unwrap();
                assert_eq!(b.token_user(&room, &again).await.unwrap(), None, "gone with the membership");
            }

            #[tokio::test(start_paused = $paused)]
            async fn message_actions_change_the_message_and_are_entries() {
                use c2c::domain::{Action, EntryKind, Emoji};
                let (a, b) = pair_keeping(100).await;
                let (room, alice) = a.create_room(name("Alice"), Default::default()).await.unwrap();
                let bob = a.join(&room, name("Bob")).await.unwrap();
                let mut sub = b.subscribe(&room).await.unwrap();
                let hello = a.post(&room, &alice, text("hello"), vec![], None, None).await.unwrap();
                let edit = Action::Edit { target: hello.seq, text: text("hello <b>all</b>"), mentions: vec![] };
                // Someone else's message: refused, and nothing stored.
                assert!(matches!(b.act(&room, &bob, edit.clone()).await, Err(BackendError::NotAuthor)));
                let edited = b.act(&room, &alice, edit).await.unwrap();
                assert_eq!((edited.kind, edited.extra.target, edited.text.as_str()), (EntryKind::Edited, hello.seq, "hello <b>all</b>"));
                expect_event(&mut sub.events, |ev| matches!(ev, RoomEvent::Message(m) if m.seq == edited.seq)).await;
                let reply = b.post(&room, &bob, text("hi!"), vec![], None, Some(hello.seq)).await.unwrap();
                let quoted = reply.extra.reply.clone().unwrap();
                assert_eq!((quoted.seq, quoted.name.as_str(), quoted.quote.as_str()), (hello.seq, "Alice", "hello <b>all</b>"));
                let thumbs = || Action::React { target: hello.seq, emoji: Emoji::parse("👍").unwrap() };
                let r1 = a.act(&room, &bob, thumbs()).await.unwrap();
                assert_eq!(r1.extra.reactions.len(), 1);
                let r2 = b.act(&room, &alice, thumbs()).await.unwrap();
                assert_eq!(r2.extra.reactions[0].by.len(), 2, "two members, one emoji");
                let party = Action::React { target: hello.seq, emoji: Emoji::parse("🎉").unwrap() };
                a.act(&room, &bob, party.clone()).await.unwrap();
                let back = a.act(&room, &bob, party).await.unwrap();
                assert_eq!(back.extra.reactions.len(), 1, "the second toggle takes it back");
                // Bob's reply can be deleted by Bob, not by anyone else but the owner (Alice).
                let carol = a.join(&room, name("Carol")).await.unwrap();
                let delete = Action::Delete { target: reply.seq };
                assert!(matches!(a.act(&room, &carol, delete.clone()).await, Err(BackendError::NotAuthor)));
                let deleted = b.act(&room, &alice, delete.clone()).await.unwrap();
                assert_eq!(deleted.kind, EntryKind::Deleted);
                assert!(matches!(a.act(&room, &bob, delete).await, Err(BackendError::MessageGone)), "once");
                assert!(matches!(
                    a.post(&room, &bob, text("re"), vec![], None, Some(reply.seq)).await,
                    Err(BackendError::MessageGone)
                ));
                // Notices, actions and unknown numbers are no messages to act on.
                for target in [edited.seq, 9999, 0] {
                    let act = Action::React { target, emoji: Emoji::parse("👍").unwrap() };
                    assert!(matches!(a.act(&room, &bob, act).await, Err(BackendError::MessageGone)), "{target}");
                }
                // Every reader, on either handle, sees the final state; the actions are entries.
                for handle in [&a, &b] {
                    let all = handle.history(&room, 0).await.unwrap().messages;
                    let first = all.iter().find(|m| m.seq == hello.seq).unwrap();
                    assert_eq!(first.text.as_str(), "hello <b>all</b>");
                    assert!(first.extra.edited.is_some());
                    assert_eq!(first.extra.reactions.len(), 1);
                    assert_eq!(first.extra.reactions[0].emoji, "👍");
                    let gone = all.iter().find(|m| m.seq == reply.seq).unwrap();
                    assert!(gone.extra.deleted && gone.text.as_str().is_empty());
                    assert!(gone.extra.reply.is_some(), "a tombstone still answers");
                    let kinds: Vec<EntryKind> = all.iter().filter(|m| m.is_action()).map(|m| m.kind).collect();
                    assert_eq!(kinds, [EntryKind::Edited, EntryKind::Reacted, EntryKind::Reacted, EntryKind::Reacted, EntryKind::Reacted, EntryKind::Deleted]);
                    let page = handle.history_page(&room, hello.seq + 1, 1).await.unwrap();
                    assert_eq!(page.messages[0].extra.reactions[0].by.len(), 2);
                    // Pages leave the actions out: the newest two are the reply and Carol's join.
                    let page = handle.history_page(&room, u64::MAX, 2).await.unwrap();
                    assert!(page.more && page.messages.iter().all(|m| !m.is_action()), "{page:?}");
                    assert_eq!(page.messages[1].kind, EntryKind::Joined, "Carol's join notice");
                    assert_eq!(page.messages[0].seq, reply.seq);
                }
                // The edit window passes (on the wall clock).
                std::thread::sleep(contract_config().edit_window + Duration::from_millis(300));
                let late = Action::Edit { target: hello.seq, text: text("too late"), mentions: vec![] };
                assert!(matches!(a.act(&room, &alice, late).await, Err(BackendError::EditWindow(_))));
                // Reactions still work on old messages.
                a.act(&room, &carol, thumbs()).await.unwrap();
            }

            #[tokio::test(start_paused = $paused)]
            async fn reactions_per_message_are_bounded() {
                use c2c::domain::{Action, Emoji, MAX_EMOJI_PER_MESSAGE};
                let b = pair_keeping(100).await.0;
                let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let m = b.post(&room, &alice, text("react to me"), vec![], None, None).await.unwrap();
                let emoji = ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰", "😗", "😙", "🥲", "🙂", "🤗", "🤩"];
                let mut members = vec![alice.clone()];
                for i in 0..2 {
                    members.push(b.join(&room, name(&format!("M{i}"))).await.unwrap());
                }
                let mut refused = 0;
                for (i, e) in emoji.iter().enumerate() {
                    let who = &members[i % members.len()];
                    let act = Action::React { target: m.seq, emoji: Emoji::parse(e).unwrap() };
                    match b.act(&room, who, act).await {
                        Ok(_) => {}
                        Err(BackendError::TooManyReactions) => refused += 1,
                        Err(err) => panic!("{err}"),
                    }
                }
                assert_eq!(refused, emoji.len() - MAX_EMOJI_PER_MESSAGE);
                let page = b.history_page(&room, m.seq + 1, 1).await.unwrap();
                assert_eq!(page.messages[0].extra.reactions.len(), MAX_EMOJI_PER_MESSAGE);
            }

            #[tokio::test(start_paused = $paused)]
            async fn member_versions_increase_with_each_change() {
                let b = one().await;
                let (room, _) = b.create_room(name("Alice"), Default::default()).await.unwrap();
                let v0 = b.room(&room).await.unwrap().member_version;
                let mut sub = b.subscribe(&room).await.unwrap();
                let bob = b.join(&room, name("Bob")).await.unwrap();
                let ev = expect_event(&mut sub.events, is_presence(&bob, PresenceChange::Joined)).await;
                let RoomEvent::Presence { version, .. } = ev.as_ref() else { unreachable!() };
                assert!(*version > v0);
                assert_eq!(b.room(&room).await.unwrap().member_version, *version);
            }
        }
    };
}

async fn memory_pair(config: BackendConfig) -> (Arc<dyn Backend>, Arc<dyn Backend>) {
    let backend: Arc<dyn Backend> = Arc::new(c2c::backend::memory::MemoryBackend::start(config));
    (backend.clone(), backend)
}

backend_contract!(memory, paused = true, memory_pair);
