//! A reader of AWS policy documents (IAM identity policies, role trust policies, S3 bucket
//! policies, KMS key policies) that answers one question: does this policy allow this request?
//!
//! It follows the IAM evaluation logic for the parts the access checks need
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit `Deny` overrides any `Allow`, nothing is allowed unless a statement allows it,
//! `Action`/`NotAction`, `Resource`/`NotResource`, `Principal`/`NotPrincipal` in all their forms
//! (`"*"`, `{"AWS": …}`, `{"Service": …}`, strings or lists, account IDs and account root ARNs),
//! `*` and `?` wildcards (actions case-insensitive, resources case-sensitive), statements as one
//! object or a list, and the string, ARN, `Bool` and `Null` condition operators with their
//! `IfExists` forms.
//!
//! What it does not understand never passes and never fails: a condition operator it does not
//! evaluate (`IpAddress`, `DateGreaterThan`, `ForAnyValue:…`), a condition key whose value for
//! the request is not known, a policy variable (`${aws:username}`), an element it does not know.
//! Such a statement makes the answer [`Decision::CannotTell`], with the reason, unless the answer
//! is certain without it (a `Deny` elsewhere applies, or no statement could allow at all).

use std::collections::BTreeMap;

use serde_json::Value;

/// A three-valued answer: yes, no, or cannot tell (and why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    /// Certainly.
    Yes,
    /// Certainly not.
    No,
    /// The reader cannot tell, for this reason.
    Unknown(String),
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    /// All of them: no if any is no, else cannot tell if any cannot, else yes.
    fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for t in items {
            match t {
                Tri::No => return Tri::No,
                Tri::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Tri::Yes => {}
            }
        }
        unknown.map_or(Tri::Yes, Tri::Unknown)
    }

    /// Any of them: yes if any is yes, else cannot tell if any cannot, else no.
    fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for t in items {
            match t {
                Tri::Yes => return Tri::Yes,
                Tri::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Tri::No => {}
            }
        }
        unknown.map_or(Tri::No, Tri::Unknown)
    }

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            u => u,
        }
    }
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An AWS service acting with its service principal (`personalize.amazonaws.com`).
    Service(String),
    /// An IAM role (a session of it), by the role's ARN and its account.
    Role {
        /// `arn:aws:iam::123456789012:role/path/Name`.
        arn: String,
        /// `123456789012`.
        account: String,
    },
}

impl Principal {
    /// A role, its account taken from the ARN (`None` if the ARN is not a role ARN).
    pub fn role(arn: &str) -> Option<Principal> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4].is_empty() {
            return None;
        }
        if !parts[5].starts_with("role/") {
            return None;
        }
        Some(Principal::Role {
            arn: arn.to_string(),
            account: parts[4].to_string(),
        })
    }
}

/// The value of a condition key in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// The key has this value.
    Is(String),
    /// The key has one of these values, which one is not known: a condition is decided only if
    /// it holds for all of them or for none.
    OneOf(Vec<String>),
    /// The key is not in the request.
    Absent,
}

/// The condition keys of a request whose values are known. A key not listed is unknown, and a
/// condition on it cannot be decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    keys: BTreeMap<String, ContextValue>,
}

impl Context {
    /// An empty context (every key unknown).
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a key (key names are case-insensitive).
    pub fn with(mut self, key: &str, value: ContextValue) -> Context {
        self.keys.insert(key.to_ascii_lowercase(), value);
        self
    }

    /// Sets a key to one value.
    pub fn is(self, key: &str, value: impl Into<String>) -> Context {
        self.with(key, ContextValue::Is(value.into()))
    }

    /// Marks a key as absent from the request.
    pub fn absent(self, key: &str) -> Context {
        self.with(key, ContextValue::Absent)
    }

    fn get(&self, key: &str) -> Option<&ContextValue> {
        self.keys.get(&key.to_ascii_lowercase())
    }
}

/// What is asked.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Who asks. `None` for an identity policy (attached to the principal; its statements have
    /// no `Principal`).
    pub principal: Option<&'a Principal>,
    /// The action, `service:Operation` (`s3:GetObject`).
    pub action: &'a str,
    /// The resource ARN. `None` for a trust policy (its statements have no `Resource`).
    pub resource: Option<&'a str>,
    /// The condition keys known for the request.
    pub context: &'a Context,
}

/// A statement that allows the request, as far as the checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowingStatement {
    /// Its `Sid`, if any.
    pub sid: Option<String>,
    /// Whether it names the principal itself (its ARN, its service name, or `*`), rather than
    /// the principal's account (which delegates the decision to the account's IAM policies).
    pub names_principal: bool,
    /// The condition keys it tests, lowercase.
    pub condition_keys: Vec<String>,
}

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed, by these statements (an explicit deny applies to none).
    Allow(Vec<AllowingStatement>),
    /// A `Deny` statement applies (its `Sid`, if any).
    Deny {
        /// The statement's `Sid`.
        sid: Option<String>,
    },
    /// No statement allows it (an implicit deny).
    NotAllowed,
    /// The reader cannot tell, for this reason.
    CannotTell(String),
}

impl Decision {
    /// Whether the request is allowed.
    pub fn is_allow(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

/// A policy document that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a policy document: {0}")]
pub struct PolicyError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// A `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalSpec {
    /// `"*"`.
    Anyone,
    /// `{"AWS": […], "Service": […], …}`: (type, values).
    Map(Vec<(String, Vec<String>)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    operator: String,
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    sid: Option<String>,
    effect: Effect,
    principal: Option<(PrincipalSpec, bool)>,
    action: Option<(Vec<String>, bool)>,
    resource: Option<(Vec<String>, bool)>,
    conditions: Vec<Condition>,
    /// Why the reader cannot judge this statement (an element it does not know).
    not_understood: Option<String>,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    statements: Vec<Statement>,
}

/// Strings from a string, a list of strings, or (for condition values) booleans and numbers.
fn strings(v: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(PolicyError(format!("`{what}` holds {other}, not a string"))),
    };
    match v {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

impl Policy {
    /// Parses a policy document (JSON). IAM returns documents URL-encoded; see
    /// [`Policy::parse_encoded`].
    pub fn parse(json: &str) -> Result<Policy, PolicyError> {
        let doc: Value = serde_json::from_str(json.trim_start_matches('\u{feff}'))
            .map_err(|e| PolicyError(format!("invalid JSON ({e})")))?;
        let Some(obj) = doc.as_object() else {
            return Err(PolicyError("the document is not a JSON object".into()));
        };
        let statements = match obj.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
            Some(s @ Value::Object(_)) => vec![s],
            Some(_) => return Err(PolicyError("`Statement` is not an object or a list".into())),
            None => return Err(PolicyError("the document has no `Statement`".into())),
        };
        let statements = statements
            .into_iter()
            .map(parse_statement)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy { statements })
    }

    /// Parses a document that may be URL-encoded, as IAM's GetRole, GetRolePolicy and
    /// GetPolicyVersion return them (`%7B%22Version%22…`).
    pub fn parse_encoded(text: &str) -> Result<Policy, PolicyError> {
        match Policy::parse(text) {
            Ok(p) => Ok(p),
            Err(first) => {
                let decoded = percent_decode(text);
                if decoded == text {
                    return Err(first);
                }
                Policy::parse(&decoded)
            }
        }
    }

    /// How many statements it has.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// Whether it has no statement.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Evaluates the request against this policy alone.
    pub fn evaluate(&self, request: &Request<'_>) -> Decision {
        evaluate_all(std::slice::from_ref(self), request)
    }
}

/// Evaluates the request against several policies that apply together (a role's inline and
/// attached policies): a `Deny` in any of them wins, an `Allow` in any of them allows.
pub fn evaluate_all(policies: &[Policy], request: &Request<'_>) -> Decision {
    let mut deny_unknown: Option<String> = None;
    let mut allow_unknown: Option<String> = None;
    let mut allows = Vec::new();
    for policy in policies {
        for st in &policy.statements {
            let (applies, names_principal) = applies(st, request);
            match (st.effect, applies) {
                (Effect::Deny, Tri::Yes) => {
                    return Decision::Deny {
                        sid: st.sid.clone(),
                    };
                }
                (Effect::Deny, Tri::Unknown(why)) => {
                    deny_unknown.get_or_insert(why);
                }
                (Effect::Allow, Tri::Yes) => allows.push(AllowingStatement {
                    sid: st.sid.clone(),
                    names_principal,
                    condition_keys: st
                        .conditions
                        .iter()
                        .map(|c| c.key.to_ascii_lowercase())
                        .collect(),
                }),
                (Effect::Allow, Tri::Unknown(why)) => {
                    allow_unknown.get_or_insert(why);
                }
                (_, Tri::No) => {}
            }
        }
    }
    if allows.is_empty() && allow_unknown.is_none() {
        // Nothing could allow it, whatever the undecided denies say.
        return Decision::NotAllowed;
    }
    if let Some(why) = deny_unknown {
        return Decision::CannotTell(why);
    }
    if !allows.is_empty() {
        return Decision::Allow(allows);
    }
    Decision::CannotTell(allow_unknown.unwrap_or_default())
}

fn parse_statement(v: &Value) -> Result<Statement, PolicyError> {
    let Some(obj) = v.as_object() else {
        return Err(PolicyError("a statement is not a JSON object".into()));
    };
    let mut not_understood = None;
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            not_understood.get_or_insert(format!("the statement element `{key}` is not known"));
        }
    }
    let sid = obj.get("Sid").and_then(Value::as_str).map(String::from);
    let effect = match obj.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(other) => {
            return Err(PolicyError(format!(
                "`Effect` is `{other}`, not `Allow` or `Deny`"
            )))
        }
        None => return Err(PolicyError("a statement has no `Effect`".into())),
    };
    let pair = |a: &str, b: &str| -> Result<Option<(Vec<String>, bool)>, PolicyError> {
        match (obj.get(a), obj.get(b)) {
            (Some(_), Some(_)) => Err(PolicyError(format!("a statement has both `{a}` and `{b}`"))),
            (Some(v), None) => Ok(Some((strings(v, a)?, false))),
            (None, Some(v)) => Ok(Some((strings(v, b)?, true))),
            (None, None) => Ok(None),
        }
    };
    let action = pair("Action", "NotAction")?;
    let resource = pair("Resource", "NotResource")?;
    let principal = match (obj.get("Principal"), obj.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError(
                "a statement has both `Principal` and `NotPrincipal`".into(),
            ))
        }
        (Some(v), None) => Some((parse_principal(v)?, false)),
        (None, Some(v)) => Some((parse_principal(v)?, true)),
        (None, None) => None,
    };
    let mut conditions = Vec::new();
    if let Some(c) = obj.get("Condition") {
        let Some(ops) = c.as_object() else {
            return Err(PolicyError("`Condition` is not an object".into()));
        };
        for (operator, keys) in ops {
            let Some(keys) = keys.as_object() else {
                return Err(PolicyError(format!(
                    "the condition `{operator}` is not an object of keys"
                )));
            };
            for (key, values) in keys {
                conditions.push(Condition {
                    operator: operator.clone(),
                    key: key.clone(),
                    values: strings(values, key)?,
                });
            }
        }
    }
    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
        not_understood,
    })
}

fn parse_principal(v: &Value) -> Result<PrincipalSpec, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(PrincipalSpec::Anyone),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), strings(v, k)?)))
            .collect::<Result<Vec<_>, _>>()
            .map(PrincipalSpec::Map),
        other => Err(PolicyError(format!(
            "`Principal` is {other}: expected \"*\" or an object such as {{\"AWS\": …}}"
        ))),
    }
}

/// Whether a statement applies to the request, and whether it names the principal itself.
fn applies(st: &Statement, req: &Request<'_>) -> (Tri, bool) {
    if let Some(why) = &st.not_understood {
        return (Tri::Unknown(why.clone()), false);
    }
    let (principal, names_principal) = match (req.principal, &st.principal) {
        // Identity policies: the principal is the one the policy is attached to.
        (None, _) => (Tri::Yes, true),
        (Some(_), None) => (
            Tri::Unknown("a statement of a resource policy has no `Principal`".into()),
            false,
        ),
        (Some(p), Some((spec, negated))) => {
            let (m, direct) = principal_matches(spec, p);
            if *negated {
                (m.not(), true)
            } else {
                (m, direct)
            }
        }
    };
    let action = match &st.action {
        None => Tri::Unknown("a statement has no `Action`".into()),
        Some((patterns, negated)) => {
            let m = Tri::any(
                patterns
                    .iter()
                    .map(|p| pattern_matches(p, req.action, true)),
            );
            if *negated {
                m.not()
            } else {
                m
            }
        }
    };
    let resource = match (req.resource, &st.resource) {
        (None, _) => Tri::Yes,
        (Some(_), None) => Tri::Unknown("a statement has no `Resource`".into()),
        (Some(r), Some((patterns, negated))) => {
            let m = Tri::any(patterns.iter().map(|p| pattern_matches(p, r, false)));
            if *negated {
                m.not()
            } else {
                m
            }
        }
    };
    // Cheap elements first: a statement about other actions is not judged on its conditions.
    let head = Tri::all([principal, action, resource]);
    if head == Tri::No {
        return (Tri::No, names_principal);
    }
    let conditions = Tri::all(
        st.conditions
            .iter()
            .map(|c| condition_holds(c, req.context)),
    );
    (Tri::all([head, conditions]), names_principal)
}

/// Whether a `Principal` element names the principal; the flag says whether it names it
/// directly (not through its account).
fn principal_matches(spec: &PrincipalSpec, p: &Principal) -> (Tri, bool) {
    let entries = match spec {
        PrincipalSpec::Anyone => return (Tri::Yes, true),
        PrincipalSpec::Map(entries) => entries,
    };
    let mut out = Tri::No;
    let mut direct = false;
    for (kind, values) in entries {
        for v in values {
            let (m, d) = principal_value_matches(kind, v, p);
            match m {
                Tri::Yes => {
                    direct |= d;
                    out = Tri::Yes;
                }
                Tri::Unknown(why) if out == Tri::No => out = Tri::Unknown(why),
                _ => {}
            }
        }
    }
    (out, direct)
}

fn principal_value_matches(kind: &str, value: &str, p: &Principal) -> (Tri, bool) {
    match (kind, p) {
        // `{"AWS": "*"}` is read as every principal, service principals included (IAM's docs
        // call it equivalent to `"*"` for resource policies).
        ("AWS", _) if value == "*" => (Tri::Yes, true),
        ("Service", Principal::Service(name)) => {
            (Tri::from_bool(value.eq_ignore_ascii_case(name)), true)
        }
        ("AWS", Principal::Role { arn, account }) => role_value_matches(value, arn, account),
        _ => (Tri::No, false),
    }
}

fn role_value_matches(value: &str, role_arn: &str, account: &str) -> (Tri, bool) {
    if value == role_arn {
        return (Tri::Yes, true);
    }
    if value == account {
        return (Tri::Yes, false);
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return (Tri::No, false);
    }
    if parts[2] == "iam" && parts[4] == account && parts[5] == "root" {
        return (Tri::Yes, false);
    }
    let role_name = role_arn.rsplit('/').next().unwrap_or(role_arn);
    if parts[2] == "iam" && value.eq_ignore_ascii_case(role_arn) {
        // IAM role names are unique regardless of case; how the policy engine compares a
        // principal ARN spelled in another case is not documented.
        return (
            Tri::Unknown(format!(
                "the principal `{value}` differs from the role's ARN only in case"
            )),
            true,
        );
    }
    if parts[2] == "sts" && parts[4] == account {
        if let Some(rest) = parts[5].strip_prefix("assumed-role/") {
            if rest.split('/').next() == Some(role_name) {
                return (
                    Tri::Unknown(format!(
                        "the principal `{value}` is one session of the role; which session Personalize uses is not known"
                    )),
                    true,
                );
            }
        }
    }
    (Tri::No, false)
}

/// A wildcard match (`*`: any run of characters, `?`: one character); a policy variable cannot
/// be decided.
fn pattern_matches(pattern: &str, text: &str, case_insensitive: bool) -> Tri {
    if pattern.contains("${") {
        return Tri::Unknown(format!(
            "`{pattern}` holds a policy variable, whose value for the request is not known"
        ));
    }
    if case_insensitive {
        Tri::from_bool(glob(
            &pattern.to_ascii_lowercase(),
            &text.to_ascii_lowercase(),
        ))
    } else {
        Tri::from_bool(glob(pattern, text))
    }
}

/// `*` and `?` wildcard matching, linear backtracking over the last `*`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// ARN matching as `ArnLike` does it: each of the six colon-separated parts separately, with
/// wildcards, case-sensitive.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| glob(p, a))
}

/// The operators this reader evaluates, by base name (without `IfExists`): whether they are
/// negated (true when the key is absent).
fn operator(base: &str) -> Option<bool> {
    match base {
        "StringEquals"
        | "StringEqualsIgnoreCase"
        | "StringLike"
        | "ArnEquals"
        | "ArnLike"
        | "Bool" => Some(false),
        "StringNotEquals"
        | "StringNotEqualsIgnoreCase"
        | "StringNotLike"
        | "ArnNotEquals"
        | "ArnNotLike" => Some(true),
        _ => None,
    }
}

/// Operators this reader knows but does not evaluate against a value; it still knows what they
/// say when the key is absent.
fn known_unevaluated(base: &str) -> Option<bool> {
    match base {
        "NumericEquals"
        | "NumericLessThan"
        | "NumericLessThanEquals"
        | "NumericGreaterThan"
        | "NumericGreaterThanEquals"
        | "DateEquals"
        | "DateLessThan"
        | "DateLessThanEquals"
        | "DateGreaterThan"
        | "DateGreaterThanEquals"
        | "IpAddress"
        | "BinaryEquals" => Some(false),
        "NumericNotEquals" | "DateNotEquals" | "NotIpAddress" => Some(true),
        _ => None,
    }
}

fn condition_holds(c: &Condition, ctx: &Context) -> Tri {
    let op = c.operator.as_str();
    if op.starts_with("ForAnyValue:") || op.starts_with("ForAllValues:") {
        return Tri::Unknown(format!(
            "the condition operator `{op}` (on `{}`) is not evaluated",
            c.key
        ));
    }
    let (base, if_exists) = match op.strip_suffix("IfExists") {
        Some(b) if b != "Null" => (b, true),
        _ => (op, false),
    };
    if let Some(v) = c.values.iter().find(|v| v.contains("${")) {
        return Tri::Unknown(format!(
            "the condition on `{}` uses the policy variable `{v}`",
            c.key
        ));
    }
    let Some(value) = ctx.get(&c.key) else {
        return Tri::Unknown(format!(
            "the condition `{op}` on `{}` depends on a value the request's context does not show",
            c.key
        ));
    };
    if base == "Null" {
        // `"Null": {"key": "true"}`: the key is absent.
        let absent = matches!(value, ContextValue::Absent);
        return Tri::any(
            c.values
                .iter()
                .map(|v| Tri::from_bool(v.eq_ignore_ascii_case("true") == absent)),
        );
    }
    let negated = match (operator(base), known_unevaluated(base)) {
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => {
            return Tri::Unknown(format!(
                "the condition operator `{op}` (on `{}`) is not known",
                c.key
            ))
        }
    };
    match value {
        ContextValue::Absent => Tri::from_bool(if_exists || negated),
        _ if operator(base).is_none() => Tri::Unknown(format!(
            "the condition operator `{op}` (on `{}`) is not evaluated",
            c.key
        )),
        ContextValue::Is(v) => Tri::from_bool(compare(base, v, &c.values)),
        ContextValue::OneOf(candidates) => {
            let results: Vec<bool> = candidates
                .iter()
                .map(|v| compare(base, v, &c.values))
                .collect();
            if results.iter().all(|&r| r) {
                Tri::Yes
            } else if results.iter().all(|&r| !r) {
                Tri::No
            } else {
                Tri::Unknown(format!(
                    "the condition `{op}` on `{}` holds for some of the values the request may carry ({}) and not for others",
                    c.key,
                    candidates.join(", ")
                ))
            }
        }
    }
}

/// One evaluated operator against one request value: any of the policy's values matches
/// (negated operators: none does).
fn compare(base: &str, v: &str, values: &[String]) -> bool {
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|x| f(x));
    match base {
        "StringEquals" => any(&|x| x == v),
        "StringNotEquals" => !any(&|x| x == v),
        "StringEqualsIgnoreCase" => any(&|x| x.eq_ignore_ascii_case(v)),
        "StringNotEqualsIgnoreCase" => !any(&|x| x.eq_ignore_ascii_case(v)),
        "StringLike" => any(&|x| glob(x, v)),
        "StringNotLike" => !any(&|x| glob(x, v)),
        "ArnEquals" | "ArnLike" => any(&|x| arn_like(x, v)),
        "ArnNotEquals" | "ArnNotLike" => !any(&|x| arn_like(x, v)),
        "Bool" => any(&|x| x.eq_ignore_ascii_case(v)),
        _ => false,
    }
}

/// Decodes `%XX` escapes (IAM's URL-encoded policy documents); anything else is kept.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(n) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
