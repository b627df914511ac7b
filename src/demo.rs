//! Realistic bilingual demo data for both presets: complaints spread over three years, repeat
//! complainants, and cases walked through the handling method's real moves (the domain's
//! `decide`), so their stages, records and timelines are what the desk itself would write.

use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::domain::complaint::{
    Channel, Complaint, Intent, Scope, ValidComplaint, normalise_phone,
};
use crate::domain::handling::{Action, Mood, Rules, WaitOn, decide, reply_due, waiting_call_due};
use crate::domain::schedule::Calendar;
use crate::domain::stage::Stage;

/// Time span the demo spreads complaints over.
const SPAN_DAYS: i64 = 3 * 365;

/// One demo event.
#[derive(Debug, Clone)]
pub struct DemoEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub agent: &'static str,
    /// Kind (`received`, then the events of the moves walked).
    pub kind: &'static str,
    /// Stage before.
    pub from_stage: Option<Stage>,
    /// Stage after.
    pub to_stage: Option<Stage>,
    /// Detail object.
    pub detail: serde_json::Value,
}

/// One generated complaint with its classification, stage and timeline.
#[derive(Debug, Clone)]
pub struct DemoCase {
    /// The intake.
    pub intake: ValidComplaint,
    /// The complaint as the moves walked left it: classification, stage, handling record
    /// (its id and number are the store's to give).
    pub complaint: Complaint,
    /// Timeline.
    pub events: Vec<DemoEvent>,
    /// Calls owed on the way (first replies, chasers), done or not.
    pub calls: Vec<DemoCall>,
    /// Revisits planned by the remedy, done or not.
    pub revisits: Vec<DemoRevisit>,
}

/// A call owed in a demo case.
#[derive(Debug, Clone)]
pub struct DemoCall {
    /// Kind (`first_reply`, `chaser`).
    pub kind: &'static str,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// When it was owed.
    pub created_at: DateTime<Utc>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
}

/// A revisit of a demo case.
#[derive(Debug, Clone)]
pub struct DemoRevisit {
    /// Role that owns it.
    pub role: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// When it was done, with the satisfaction.
    pub done: Option<(DateTime<Utc>, u8)>,
}

struct Person {
    name: String,
    phone: String,
    location: String,
    english: bool,
}

/// Generates demo cases in received-time order.
pub struct DemoGenerator<'a> {
    config: &'a Config,
    rng: fastrand::Rng,
    start: DateTime<Utc>,
    step_secs: f64,
    index: u64,
    regulars: Vec<Person>,
    now: DateTime<Utc>,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "建国", "桂英", "志强", "海燕",
];
const EN_FIRST: &[&str] = &[
    "James", "Mary", "David", "Linda", "Michael", "Sarah", "Tom", "Emma", "Daniel", "Grace",
];
const EN_LAST: &[&str] = &[
    "Smith", "Brown", "Wilson", "Taylor", "Chan", "Wong", "Lee", "Miller", "Davis", "Clark",
];
const AGENTS: &[&str] = &["王丽", "李娜", "张敏", "陈杰", "Sarah Li", "赵强"];
const SITES: &[&str] = &[
    "海底捞火锅(万达店)",
    "永辉超市(南湖店)",
    "星巴克(国贸店)",
    "美味餐厅",
    "阳光幼儿园",
    "康宁医院食堂",
    "华润万家仓库",
    "金桥食品厂",
    "锦江之星酒店",
    "蓝天写字楼",
];
const EN_SITES: &[&str] = &[
    "Golden Dragon Restaurant",
    "FreshMart Supermarket",
    "Riverside Bakery",
    "Harbour Hotel Kitchen",
    "Sunrise Kindergarten",
];

fn texts(key: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match key {
        "leak" => (
            &[
                "卫生间天花板漏水，楼下已经发霉了，请尽快派人维修。",
                "厨房水管渗水，地板泡坏了。",
                "下雨后阳台渗水，墙角都湿了。",
            ],
            &[
                "Water is leaking from the bathroom ceiling, mould is growing.",
                "The kitchen pipe is leaking onto the floor.",
            ],
        ),
        "lift" => (
            &[
                "2号电梯又坏了，老人上下楼很困难。",
                "电梯困人二十分钟才有人来，非常不满！",
                "电梯运行有异响，担心安全。",
            ],
            &[
                "Lift 2 is out of order again; elderly residents cannot get up.",
                "I was trapped in the lift for 20 minutes.",
            ],
        ),
        "cleaning" => (
            &["楼道垃圾三天没人清理，气味很大。", "小区垃圾桶满了没人倒。"],
            &["Rubbish in the stairwell has not been cleared for three days."],
        ),
        "security" => (
            &[
                "晚上有陌生人随意进出小区，门岗不管。",
                "门禁坏了一个星期还没修。",
            ],
            &["Strangers walk into the estate at night and the guards do nothing."],
        ),
        "parking" => (
            &[
                "我的车位总被别人占用，保安不处理。",
                "地下车库灯坏了很多，太暗了。",
            ],
            &["Someone keeps parking in my space and security does nothing."],
        ),
        "fees" => (
            &[
                "物业费涨价没有提前公示，要求解释。",
                "停车费收费标准不清楚，多收了钱。",
            ],
            &["The service fee went up without notice; I want an explanation."],
        ),
        "pests" => (
            &["地下室老鼠很多，孩子害怕。", "楼道里蟑螂多，请安排消杀。"],
            &["There are rats in the basement."],
        ),
        "greenery" => (
            &["楼下的树好久没修剪，挡住了阳光。"],
            &["The trees outside have not been trimmed and block the light."],
        ),
        "staff" => (
            &[
                "前台客服态度很差，不耐烦。",
                "维修师傅说好上午来，等了一天没来。",
            ],
            &["The front desk staff were rude and impatient."],
        ),
        "noise" => (
            &[
                "楼上每天晚上十二点还在装修，吵得睡不着。",
                "隔壁的狗整夜叫。",
            ],
            &["The neighbours upstairs renovate until midnight every night."],
        ),
        "wall-crack" => (
            &[
                "客厅墙面开裂，裂缝越来越大，是开发商的质量问题。",
                "外墙空鼓脱落，很危险。",
            ],
            &["Cracks in the living-room wall keep growing; the developer built it badly."],
        ),
        "utility-outage" => (
            &[
                "又停水了，也没有提前通知。",
                "小区停电四个小时了，冰箱里的东西都坏了。",
            ],
            &["The water was cut again without notice."],
        ),
        "municipal" => (
            &["小区门口的路坑洼不平，下雨积水。"],
            &["The road outside the gate is full of potholes."],
        ),
        "recurrence" => (
            &[
                "上个月刚做完服务，现在厨房又有蟑螂了。",
                "灭鼠后又出现老鼠活动痕迹。",
            ],
            &["You treated the kitchen last month and the cockroaches came back."],
        ),
        "cockroaches" => (
            &["后厨蟑螂很多，白天都能看到。", "仓库里发现大量蟑螂。"],
            &["There are cockroaches in the kitchen in broad daylight."],
        ),
        "rodents" => (
            &[
                "仓库里发现老鼠咬坏了货物。",
                "餐厅包间晚上有老鼠跑过，客人看到了。",
            ],
            &["Rats chewed through stock in the warehouse."],
        ),
        "flies-mosquitoes" => (
            &["餐厅苍蝇很多，影响营业。", "院子里蚊子太多。"],
            &["Flies everywhere in the dining room."],
        ),
        "missed-visit" => (
            &[
                "约好周三上门服务，防制员没来也没通知。",
                "本月的例行服务漏做了。",
            ],
            &["The technician did not turn up on Wednesday as agreed."],
        ),
        "technician-conduct" => (
            &[
                "防制员态度很凶，不解释用药情况。",
                "防制员工作敷衍，十分钟就走了。",
            ],
            &["The technician was rude and would not explain the treatment."],
        ),
        "bait-safety" => (
            &[
                "毒饵站放在儿童活动区，太危险了！",
                "毒饵站盖子坏了，担心宠物误食。",
            ],
            &["A bait station was left where children play!"],
        ),
        "chemical-odour" => (
            &["喷药后气味刺鼻，员工头晕。"],
            &["The spray smell is so strong that staff feel dizzy."],
        ),
        "billing" => (
            &["合同里没有的项目也收了费。", "发票金额和报价不一致。"],
            &["We were billed for work that is not in the contract."],
        ),
        "hygiene-structure" => (
            &["下水道口没有封堵，虫子一直从那里进来。"],
            &["Drains are open and pests keep coming in through them."],
        ),
        "neighbouring-source" => (
            &["隔壁餐馆卫生差，老鼠从他们那边过来。"],
            &["The restaurant next door is filthy and the rats come from there."],
        ),
        _ => (
            &["问题反复出现，请尽快处理。"],
            &["The problem keeps coming back; please deal with it."],
        ),
    }
}

impl<'a> DemoGenerator<'a> {
    /// A generator of `count` cases ending at `now`.
    pub fn new(config: &'a Config, seed: u64, count: u64, now: DateTime<Utc>) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let start = now - Duration::days(SPAN_DAYS);
        let regulars = (0..200).map(|_| random_person(&mut rng, config)).collect();
        DemoGenerator {
            config,
            rng,
            start,
            step_secs: (SPAN_DAYS * 86_400) as f64 / count.max(1) as f64,
            index: 0,
            regulars,
            now,
        }
    }

    /// The next case, later than the previous one.
    pub fn next_case(&mut self) -> DemoCase {
        let offset = (self.index as f64 * self.step_secs) as i64;
        self.index += 1;
        let received_at = self.start + Duration::seconds(offset);
        let rng = &mut self.rng;
        let person = if rng.u8(..100) < 15 {
            let i = rng.usize(..self.regulars.len());
            &self.regulars[i]
        } else {
            &random_person(rng, self.config)
        };
        let category =
            &self.config.policy.categories[rng.usize(..self.config.policy.categories.len())];
        let (zh, en) = texts(&category.key);
        let description = if person.english {
            pick(rng, en)
        } else {
            pick(rng, zh)
        }
        .to_string();
        let outcome = match (person.english, rng.u8(..4)) {
            (_, 0) => String::new(),
            (true, 1) => "Fix it this week and call me back.".into(),
            (true, _) => "An explanation and a date for the repair.".into(),
            (false, 1) => "尽快处理，并给我回电话。".into(),
            (false, 2) => "要求赔偿损失。".into(),
            (false, _) => "希望给个说法，明确处理时间。".into(),
        };
        let policy = &self.config.policy;
        // Nine in ten name a site of the configured list, in uneven shares (a large estate
        // and small ones, see [`falling_index`]); one in ten raised a second issue.
        let site = (!policy.sites.is_empty() && rng.u8(..10) < 9).then(|| {
            policy.sites[falling_index(rng, policy.sites.len())]
                .key
                .clone()
        });
        let extra_categories = match &policy.categories[rng.usize(..policy.categories.len())] {
            other if other.key != category.key && rng.u8(..10) == 0 => vec![other.key.clone()],
            _ => Vec::new(),
        };
        let intake = ValidComplaint {
            site,
            extra_categories,
            channel: Channel::ALL[rng.usize(..Channel::ALL.len())],
            name: person.name.clone(),
            phone: person.phone.clone(),
            phone_norm: normalise_phone(&person.phone).unwrap_or_default(),
            location: person.location.clone(),
            category: category.key.clone(),
            description,
            outcome,
            apologized: rng.u8(..10) < 8,
            received_at,
        };
        let agent = pick(rng, AGENTS);
        let mut case = DemoCase {
            complaint: Complaint::received(0, String::new(), &intake),
            calls: Vec::new(),
            revisits: Vec::new(),
            events: vec![DemoEvent {
                at: received_at,
                agent,
                kind: "received",
                from_stage: None,
                to_stage: Some(Stage::Received),
                detail: serde_json::json!({
                    "channel": intake.channel.as_str(),
                    "category": category.key,
                    "apologized": intake.apologized,
                }),
            }],
            intake,
        };
        let age_days = (self.now - received_at).num_days();
        // Recent complaints are mostly untriaged; older ones mostly closed.
        let untriaged = match age_days {
            0..=2 => rng.u8(..100) < 70,
            3..=14 => rng.u8(..100) < 10,
            _ => rng.u16(..1000) < 2,
        };
        if untriaged {
            return case;
        }
        let scope = category.scope;
        let severities = &self.config.policy.severities;
        let sev = severities[weighted_index(rng, severities.len())]
            .key
            .clone();
        let types = &self.config.policy.types;
        let complaint_type = Some(types[rng.usize(..types.len())].key.clone());
        let intent = [
            Intent::Genuine,
            Intent::Genuine,
            Intent::Unclear,
            Intent::Venting,
        ][rng.usize(..4)];
        let spread_risk = rng.u8(..100) < 3;
        let party = category.party.clone().or_else(|| {
            (scope == Scope::Out)
                .then(|| self.config.policy.parties.first().map(|p| p.key.clone()))?
        });
        // How the customer sounded, as their intent and a threat to go public suggest.
        let mood = match intent {
            _ if spread_risk => Mood::Agitated,
            Intent::Venting => Mood::Angry,
            Intent::Unclear => Mood::Anxious,
            Intent::Genuine => Mood::Calm,
        };
        let english = person.english;
        // The path of real moves through the method, then how far along it this case got.
        let say = |zh: &str, en: &str| if english { en } else { zh }.to_string();
        let path: Vec<Action> = match scope {
            Scope::In => vec![
                Action::Classify {
                    scope,
                    party: None,
                    complaint_type,
                    severity: sev,
                    intent,
                    spread_risk,
                    explained: false,
                },
                Action::Verify {
                    motive: say(
                        "希望尽快解决，避免损失扩大。",
                        "Wants it fixed before the damage spreads.",
                    ),
                    outcome: String::new(),
                    mood: Some(mood),
                },
                Action::Assess {
                    facts: say(
                        "现场查看属实，需维修。",
                        "Checked on site: confirmed, needs repair.",
                    ),
                    severity: None,
                },
                Action::Plan {
                    department: say("工程维修部", "Maintenance"),
                    actions: say(
                        "安排师傅上门维修并复查。",
                        "Send a technician, then re-inspect.",
                    ),
                    promised: None,
                    confirmed: true,
                    compensation: (rng.u8(..10) == 0).then_some(100),
                    gift: None,
                },
                Action::Reply {
                    accepted: true,
                    alternatives: String::new(),
                },
                Action::Remedied {
                    note: say("已修复，业主确认。", "Repaired; the customer confirmed."),
                },
                Action::Close {
                    summary: say(
                        "已处理并与业主确认。",
                        "Repaired and confirmed with the customer.",
                    ),
                    root_cause: say("维修排期积压。", "Maintenance backlog."),
                    lesson: say("每周核对维修计划。", "Check the schedule weekly."),
                    referred: false,
                },
            ],
            Scope::Out => vec![
                Action::Classify {
                    scope,
                    party: party.clone(),
                    complaint_type,
                    severity: sev,
                    intent,
                    spread_risk,
                    explained: true,
                },
                Action::Refer {
                    to: party.unwrap_or_default(),
                    note: say(
                        "已联系责任方并转交资料。",
                        "Passed the details to the responsible party.",
                    ),
                },
                Action::Wait {
                    on: WaitOn::ThirdParty,
                    note: say("等待责任方回复。", "Waiting for their answer."),
                },
                Action::Close {
                    summary: say("责任方已处理。", "Handled by the responsible party."),
                    root_cause: String::new(),
                    lesson: String::new(),
                    referred: true,
                },
            ],
        };
        let closed = age_days > 60 && rng.u8(..100) < 97 || age_days > 14 && rng.u8(..100) < 60;
        let steps = if closed {
            path.len()
        } else {
            1 + rng.usize(..path.len() - 1)
        };
        let role = self
            .config
            .policy
            .roles
            .iter()
            .max_by_key(|r| r.compensation_limit)
            .cloned()
            .unwrap_or_else(|| crate::config::Role {
                key: "agent".into(),
                zh: String::new(),
                zh_tw: None,
                en: String::new(),
                compensation_limit: u32::MAX,
                permissions: Vec::new(),
                all_sites: false,
            });
        let mut complaint = case.complaint.clone();
        let mut at = received_at + Duration::minutes(rng.i64(5..240));
        let policy = &self.config.policy;
        let cal = Calendar::new(&policy.business_hours, policy.timezone);
        for action in &path[..steps] {
            if at > self.now {
                break;
            }
            let rules = Rules {
                policy: &self.config.policy,
                agent,
                role: &role,
                now: at,
            };
            // Every move on the path is valid by construction; a refusal ends the walk.
            let Ok(decision) = decide(&complaint, action, &rules) else {
                break;
            };
            case.events.push(DemoEvent {
                at,
                agent,
                kind: decision.event,
                from_stage: Some(complaint.stage),
                to_stage: Some(decision.after.stage),
                detail: decision.detail,
            });
            for call in case.calls.iter_mut() {
                if call.done_at.is_none() && decision.settles.contains(&call.kind) {
                    call.done_at = Some(at);
                }
            }
            if let Some((kind, hours)) = decision.owes {
                case.calls.push(DemoCall {
                    kind,
                    due_at: reply_due(&cal, complaint.received_at, hours),
                    created_at: at,
                    done_at: None,
                });
            }
            // A waiting case keeps one call of each kind it owes while it waits.
            for &kind in decision.keeps {
                if !case
                    .calls
                    .iter()
                    .any(|c| c.kind == kind && c.done_at.is_none())
                {
                    case.calls.push(DemoCall {
                        kind,
                        due_at: waiting_call_due(&cal, policy, at),
                        created_at: at,
                        done_at: None,
                    });
                }
            }
            for step in &decision.revisits {
                let due_at = cal.add_days(at, step.after_days, step.business_days);
                case.revisits.push(DemoRevisit {
                    role: step.role.clone(),
                    due_at,
                    done: None,
                });
            }
            complaint = decision.after;
            at += Duration::hours(rng.i64(1..24 * 5));
        }
        // Calls long past were made on time (the desk kept up); recent ones stay owed.
        for call in case.calls.iter_mut() {
            if call.done_at.is_none() && call.due_at < self.now - Duration::days(3) {
                call.done_at = Some(call.due_at);
            }
        }
        // A closed case had its revisits; an open one has those already due.
        for r in case.revisits.iter_mut() {
            let closed = complaint.stage.is_closed();
            if closed || r.due_at < self.now - Duration::days(2) {
                let when = complaint.closed_at.map_or(r.due_at, |c| r.due_at.min(c));
                r.done = Some((when, 4 + rng.u8(..2)));
            }
        }
        case.complaint = complaint;
        case
    }
}

fn pick<'s>(rng: &mut fastrand::Rng, items: &[&'s str]) -> &'s str {
    items[rng.usize(..items.len())]
}

/// Lower indexes more likely: most complaints are of the lower severities.
fn weighted_index(rng: &mut fastrand::Rng, len: usize) -> usize {
    let mut i = 0;
    while i + 1 < len && rng.u8(..100) < 35 {
        i += 1;
    }
    i
}

/// Each index 40% as likely as the one before (the last takes the rest): of 6, the first
/// takes 60%, the fifth 1.5% and the last 1%.
fn falling_index(rng: &mut fastrand::Rng, len: usize) -> usize {
    let mut i = 0;
    while i + 1 < len && rng.u8(..10) < 4 {
        i += 1;
    }
    i
}

fn random_person(rng: &mut fastrand::Rng, config: &Config) -> Person {
    let english = rng.u8(..100) < 15;
    let name = if english {
        format!("{} {}", pick(rng, EN_FIRST), pick(rng, EN_LAST))
    } else {
        format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
    };
    let phone = if rng.u8(..10) < 8 {
        format!("1{}{:09}", rng.u8(3..10), rng.u32(..1_000_000_000))
    } else {
        format!(
            "0{}-{:08}",
            rng.u16(10..1000),
            rng.u32(10_000_000..100_000_000)
        )
    };
    let location = match (config.preset, english) {
        (crate::config::Preset::PestControl, false) => pick(rng, SITES).to_string(),
        (crate::config::Preset::PestControl, true) => pick(rng, EN_SITES).to_string(),
        (_, false) => format!(
            "{}栋{}单元{}{:02}",
            rng.u8(1..30),
            rng.u8(1..5),
            rng.u8(1..33),
            rng.u8(1..7)
        ),
        (_, true) => format!(
            "Block {}, Flat {}{:02}",
            rng.u8(1..30),
            rng.u8(1..33),
            rng.u8(1..7)
        ),
    };
    Person {
        name,
        phone,
        location,
        english,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;
    use crate::domain::complaint::{NewComplaint, validate};

    #[test]
    fn demo_cases_pass_intake_validation_and_are_ordered() {
        for preset in Preset::ALL {
            let config = Config::preset(preset).expect("preset");
            let now = Utc::now();
            let mut g = DemoGenerator::new(&config, 7, 2000, now);
            let mut last = None;
            let mut stages = std::collections::HashSet::new();
            for _ in 0..2000 {
                let c = g.next_case();
                let again = NewComplaint {
                    channel: Some(c.intake.channel),
                    name: c.intake.name.clone(),
                    phone: c.intake.phone.clone(),
                    location: c.intake.location.clone(),
                    category: c.intake.category.clone(),
                    description: c.intake.description.clone(),
                    outcome: c.intake.outcome.clone(),
                    apologized: c.intake.apologized,
                    received_at: Some(c.intake.received_at),
                    extra_categories: c.intake.extra_categories.clone(),
                    site: c.intake.site.clone().unwrap_or_default(),
                };
                let valid =
                    validate(&again, &config.policy, now).expect("demo data is valid intake");
                assert_eq!(valid, c.intake);
                assert!(last.is_none_or(|l| l <= c.intake.received_at));
                last = Some(c.intake.received_at);
                assert_eq!(
                    c.complaint.closed_at.is_some(),
                    c.complaint.stage.is_closed()
                );
                assert!(c.events.iter().all(|e| e.at <= now));
                stages.insert(c.complaint.stage);
            }
            assert!(stages.len() >= 6, "{preset:?}: {stages:?}");
        }
    }
}
