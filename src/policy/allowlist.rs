//! An origin allowlist that can be replaced while requests are in flight.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::origin::{parse_serialized, OriginSet};
use crate::error::ConfigError;

/// A list of allowed origins that can be replaced at run time: tenants added, a file reloaded.
///
/// Give a handle to [`CorsPolicyBuilder::allow_origin_list`](crate::CorsPolicyBuilder::allow_origin_list)
/// and keep a clone to [`replace`](Self::replace) the list later. Entries are written as in
/// [`allow_origins`](crate::CorsPolicyBuilder::allow_origins) (origins, `*.` and `:*` patterns,
/// `null`), and validated the same way.
///
/// Replacing is atomic: a request sees the whole old list or the whole new one, never a mix.
/// Reading takes no lock (an atomic load and a reference count), so requests never wait for a
/// writer, and a writer never waits for requests.
///
/// ```
/// use http::Request;
/// use tower_cors::{CorsPolicy, OriginAllowlist};
///
/// let tenants = OriginAllowlist::new(["https://acme.example"])?;
/// let policy = CorsPolicy::builder().allow_origin_list(tenants.clone()).build()?;
///
/// let request = |origin| Request::get("/").header("origin", origin).body(()).unwrap().into_parts().0;
/// assert!(!policy.evaluate(&request("https://globex.example")).is_allowed());
///
/// tenants.replace(["https://acme.example", "https://globex.example"])?;
/// assert!(policy.evaluate(&request("https://globex.example")).is_allowed());
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct OriginAllowlist {
    pub(crate) current: Arc<ArcSwap<OriginSet>>,
}

fn parse<I>(origins: I) -> Result<OriginSet, ConfigError>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut set = OriginSet::default();
    for origin in origins {
        let origin = origin.as_ref();
        if origin == "*" {
            return Err(ConfigError::InvalidOrigin {
                input: origin.to_owned(),
                reason: "a replaceable allowlist lists origins; `*` would allow them all".into(),
                suggestion: None,
            });
        }
        set.add(origin)?;
    }
    Ok(set)
}

impl OriginAllowlist {
    /// A list holding `origins`, or the first entry that is not an origin or pattern.
    pub fn new<I>(origins: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        Ok(OriginAllowlist {
            current: Arc::new(ArcSwap::from_pointee(parse(origins)?)),
        })
    }

    /// An empty list, to be filled with [`replace`](Self::replace).
    pub fn empty() -> Self {
        OriginAllowlist {
            current: Arc::new(ArcSwap::from_pointee(OriginSet::default())),
        }
    }

    /// Replaces the whole list. Every entry is validated first; on an error the old list stays
    /// in force, untouched.
    pub fn replace<I>(&self, origins: I) -> Result<(), ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.current.store(Arc::new(parse(origins)?));
        Ok(())
    }

    /// How many entries the list holds now.
    pub fn len(&self) -> usize {
        self.current.load().len()
    }

    /// Whether the list is empty now.
    pub fn is_empty(&self) -> bool {
        self.current.load().is_empty()
    }

    /// Whether the list allows `origin`, compared as a browser sends it.
    ///
    /// ```
    /// # use tower_cors::OriginAllowlist;
    /// let list = OriginAllowlist::new(["https://*.example.com"])?;
    /// assert!(list.allows("https://a.example.com"));
    /// assert!(!list.allows("https://example.com"));
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn allows(&self, origin: &str) -> bool {
        let parsed = parse_serialized(origin.as_bytes());
        self.current
            .load()
            .matches(origin.as_bytes(), parsed.as_ref())
    }
}

impl fmt::Debug for OriginAllowlist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginAllowlist")
            .field("len", &self.len())
            .finish()
    }
}
