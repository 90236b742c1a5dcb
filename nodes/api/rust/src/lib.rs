//! dora node API for Rust (dora for Deno), std only.
//!
//! The same shape as the original `dora-node-api` crate:
//!
//! ```no_run
//! use dora_node_api::{DoraNode, Event, IntoArrow};
//!
//! let (mut node, mut events) = DoraNode::init_from_env()?;
//! while let Some(event) = events.recv() {
//!     match event {
//!         Event::Input { id, metadata, data } if id == "tick" => {
//!             node.send_output("random", metadata.parameters, 42.0f64.into_arrow())?;
//!         }
//!         Event::Stop(_) => break,
//!         _ => {}
//!     }
//! }
//! # Ok::<(), dora_node_api::Error>(())
//! ```
//!
//! It speaks the daemon <-> node protocol (docs/protocol.md) over the node's
//! Unix socket. Data always travels in the socket frames: the node tells the
//! daemon it does not map shared memory, so big inputs are copied for it.

mod json;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub use json::Json;

const PROTOCOL_VERSION: u32 = 1;
const MAX_FRAME: usize = 64 * 1024 * 1024;

/// Something went wrong talking to the daemon; the message says what.
#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// User parameters of a message (kept empty by this API).
pub type MetadataParameters = BTreeMap<String, String>;

/// Metadata of an input.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// Hybrid-logical-clock timestamp, nanoseconds since the Unix epoch.
    pub timestamp: u64,
    pub parameters: MetadataParameters,
}

/// The data of a message: one Arrow array's type, length and values bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArrowData {
    /// `u8`, `i32`, `f64`, `utf8`, `null`, … (docs/protocol.md, "Data layout").
    pub dtype: String,
    /// Number of elements (1 for a single utf8/binary value).
    pub len: usize,
    /// The values buffer (little-endian elements, or the utf8/binary bytes).
    pub values: Vec<u8>,
}

impl ArrowData {
    /// The values as `f64`s (for `f64` data).
    pub fn to_f64s(&self) -> Vec<f64> {
        self.values.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect()
    }

    /// The values as `i64`s (for `i64` data).
    pub fn to_i64s(&self) -> Vec<i64> {
        self.values.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect()
    }

    /// A utf8 value as text.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.values).ok()
    }
}

/// Values that can be sent: numbers, slices and vectors of numbers, text, bytes.
pub trait IntoArrow {
    fn into_arrow(self) -> ArrowData;
}

macro_rules! numeric {
    ($t:ty, $dt:expr) => {
        impl IntoArrow for $t {
            fn into_arrow(self) -> ArrowData {
                ArrowData { dtype: $dt.into(), len: 1, values: self.to_le_bytes().to_vec() }
            }
        }
        impl IntoArrow for Vec<$t> {
            fn into_arrow(self) -> ArrowData {
                self.as_slice().into_arrow()
            }
        }
        impl IntoArrow for &[$t] {
            fn into_arrow(self) -> ArrowData {
                ArrowData {
                    dtype: $dt.into(),
                    len: self.len(),
                    values: self.iter().flat_map(|v| v.to_le_bytes()).collect(),
                }
            }
        }
    };
}
numeric!(u8, "u8");
numeric!(i8, "i8");
numeric!(u16, "u16");
numeric!(i16, "i16");
numeric!(u32, "u32");
numeric!(i32, "i32");
numeric!(u64, "u64");
numeric!(i64, "i64");
numeric!(f32, "f32");
numeric!(f64, "f64");

impl IntoArrow for &str {
    fn into_arrow(self) -> ArrowData {
        ArrowData { dtype: "utf8".into(), len: 1, values: self.as_bytes().to_vec() }
    }
}

impl IntoArrow for String {
    fn into_arrow(self) -> ArrowData {
        self.as_str().into_arrow()
    }
}

impl IntoArrow for ArrowData {
    fn into_arrow(self) -> ArrowData {
        self
    }
}

/// Why the dataflow stops this node.
#[derive(Debug, Clone, PartialEq)]
pub enum StopCause {
    Manual,
    AllInputsClosed,
    Other(String),
}

/// An event of the node's event stream.
#[derive(Debug, Clone)]
pub enum Event {
    Input { id: String, metadata: Metadata, data: ArrowData },
    InputClosed { id: String },
    InputRecovered { id: String },
    NodeRestarted { id: String },
    NodeFailed { id: String, error: String },
    Stop(StopCause),
    Error(String),
}

struct Link {
    stream: UnixStream,
    last_ts: u64,
}

impl Link {
    fn send(&mut self, header: &str, payload: &[u8]) -> Result<(), Error> {
        let start = 8 + header.len();
        let pad = if payload.is_empty() { 0 } else { (64 - start % 64) % 64 };
        let total = start + pad + payload.len();
        let mut frame = Vec::with_capacity(total);
        frame.extend_from_slice(&((total - 4) as u32).to_le_bytes());
        frame.extend_from_slice(&(header.len() as u32).to_le_bytes());
        frame.extend_from_slice(header.as_bytes());
        frame.resize(start + pad, 0);
        frame.extend_from_slice(payload);
        self.stream.write_all(&frame).map_err(|e| Error(format!("cannot write to the dora daemon: {e}")))
    }

    fn now(&mut self) -> u64 {
        let t = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
        self.last_ts = t.max(self.last_ts + 1);
        self.last_ts
    }
}

/// Reads one frame: `None` at EOF.
fn read_frame(stream: &mut UnixStream) -> Result<Option<(Json, Vec<u8>)>, Error> {
    let mut len = [0u8; 4];
    match stream.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(Error(format!("cannot read from the dora daemon: {e}"))),
    }
    let len = u32::from_le_bytes(len) as usize;
    if !(4..=MAX_FRAME).contains(&len) {
        return Err(Error(format!("bad frame length {len} from the dora daemon")));
    }
    let mut rest = vec![0u8; len];
    stream.read_exact(&mut rest).map_err(|e| Error(format!("cannot read from the dora daemon: {e}")))?;
    let hlen = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
    if 4 + hlen > rest.len() {
        return Err(Error("bad header length from the dora daemon".into()));
    }
    let header = std::str::from_utf8(&rest[4..4 + hlen])
        .ok()
        .and_then(Json::parse)
        .ok_or_else(|| Error("the dora daemon sent a header that is not JSON".into()))?;
    let start = (8 + hlen + 63) / 64 * 64;
    let payload = if 4 + len > start { rest[start - 4..].to_vec() } else { Vec::new() };
    Ok(Some((header, payload)))
}

/// The sending half: outputs.
pub struct DoraNode {
    link: Arc<Mutex<Link>>,
    node_id: String,
    dataflow_id: String,
}

/// The receiving half: events, in order.
pub struct EventStream {
    link: Arc<Mutex<Link>>,
    reader: UnixStream,
    queue: std::collections::VecDeque<Event>,
    ended: bool,
}

impl DoraNode {
    /// Connects with the configuration `dora run` / `dora start` give the node
    /// (`DORA_NODE_CONFIG`) and waits until every node of the dataflow is up.
    pub fn init_from_env() -> Result<(DoraNode, EventStream), Error> {
        let config = std::env::var("DORA_NODE_CONFIG").map_err(|_| {
            Error("DORA_NODE_CONFIG is not set: start this node with `dora run` or `dora start`".into())
        })?;
        let config = Json::parse(&config).ok_or_else(|| Error("DORA_NODE_CONFIG is not JSON".into()))?;
        let field = |k: &str| {
            config
                .get(k)
                .and_then(Json::as_str)
                .map(str::to_owned)
                .ok_or_else(|| Error(format!("DORA_NODE_CONFIG lacks `{k}`")))
        };
        let (socket, node_id, dataflow_id) = (field("socket")?, field("node_id")?, field("dataflow_id")?);
        let stream = UnixStream::connect(&socket)
            .map_err(|e| Error(format!("cannot connect to the dora daemon at {socket}: {e}")))?;
        let mut reader = stream.try_clone().map_err(|e| Error(e.to_string()))?;
        let mut link = Link { stream, last_ts: 0 };
        // The secret proves that this is the process dora started for the node.
        let secret = match config.get("secret").and_then(Json::as_str) {
            Some(s) => format!(r#","secret":{}"#, json::quote(s)),
            None => String::new(),
        };
        link.send(
            &format!(
                r#"{{"t":"hello","v":{PROTOCOL_VERSION},"node":{},"df":{},"lang":"rust","pid":{},"shm":false{secret}}}"#,
                json::quote(&node_id),
                json::quote(&dataflow_id),
                std::process::id()
            ),
            &[],
        )?;
        loop {
            let (header, _) = match read_frame(&mut reader)? {
                Some(frame) => frame,
                None => {
                    return Err(Error("the dora daemon closed the connection during the handshake".into()));
                }
            };
            match header.get("t").and_then(Json::as_str) {
                Some("error") => {
                    let msg = header.get("message").and_then(Json::as_str).unwrap_or("");
                    return Err(Error(format!("dora daemon refused node `{node_id}`: {msg}")));
                }
                Some("ready") => break,
                _ => {}
            }
        }
        let link = Arc::new(Mutex::new(link));
        Ok((
            DoraNode { link: link.clone(), node_id, dataflow_id },
            EventStream { link, reader, queue: Default::default(), ended: false },
        ))
    }

    /// This node's id.
    pub fn id(&self) -> &str {
        &self.node_id
    }

    /// The dataflow's id.
    pub fn dataflow_id(&self) -> &str {
        &self.dataflow_id
    }

    /// Sends `data` on the declared output `output_id`.
    pub fn send_output(
        &mut self,
        output_id: impl AsRef<str>,
        _parameters: MetadataParameters,
        data: ArrowData,
    ) -> Result<(), Error> {
        let mut link = self.link.lock().unwrap();
        let ts = link.now();
        let o = json::quote(output_id.as_ref());
        if data.dtype.is_empty() || data.dtype == "null" {
            return link.send(&format!(r#"{{"t":"output","o":{o},"m":{{"ts":"{ts}"}}}}"#), &[]);
        }
        let dt = json::quote(&data.dtype);
        if data.dtype == "utf8" || data.dtype == "binary" {
            let mut payload = vec![0u8; 64];
            payload[4..8].copy_from_slice(&(data.values.len() as u32).to_le_bytes());
            payload.extend_from_slice(&data.values);
            let n = data.values.len();
            return link.send(
                &format!(
                    r#"{{"t":"output","o":{o},"m":{{"ts":"{ts}"}},"d":{{"dt":{dt},"len":1,"nulls":0,"off":0,"bufs":[null,[0,8],[64,{n}]],"ch":[]}}}}"#
                ),
                &payload,
            );
        }
        let (len, n) = (data.len, data.values.len());
        link.send(
            &format!(
                r#"{{"t":"output","o":{o},"m":{{"ts":"{ts}"}},"d":{{"dt":{dt},"len":{len},"nulls":0,"off":0,"bufs":[null,[0,{n}]],"ch":[]}}}}"#
            ),
            &data.values,
        )
    }
}

impl EventStream {
    /// The next event; `None` at the end of the stream (after `Stop`, or when
    /// the daemon went away).
    #[allow(clippy::should_implement_trait)]
    pub fn recv(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                if matches!(event, Event::Stop(_)) {
                    self.ended = true;
                    self.queue.clear();
                }
                return Some(event);
            }
            if self.ended {
                return None;
            }
            if self.link.lock().unwrap().send(r#"{"t":"next"}"#, &[]).is_err() {
                self.ended = true;
                return None;
            }
            loop {
                match read_frame(&mut self.reader) {
                    Ok(Some((header, payload))) => {
                        if header.get("t").and_then(Json::as_str) == Some("batch_end") {
                            break;
                        }
                        if let Some(e) = decode(&header, &payload) {
                            self.queue.push_back(e);
                        }
                    }
                    Ok(None) | Err(_) => {
                        self.ended = true;
                        break;
                    }
                }
            }
        }
    }
}

impl Iterator for EventStream {
    type Item = Event;
    fn next(&mut self) -> Option<Event> {
        self.recv()
    }
}

fn decode(h: &Json, payload: &[u8]) -> Option<Event> {
    let s = |k: &str| h.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
    Some(match h.get("t")?.as_str()? {
        "input" => {
            let timestamp = h.get("m").and_then(|m| m.get("ts")).and_then(Json::as_str).and_then(|t| t.parse().ok());
            let metadata = Metadata { timestamp: timestamp.unwrap_or(0), parameters: Default::default() };
            let mut data = ArrowData { dtype: "null".into(), len: 0, values: Vec::new() };
            if let Some(d) = h.get("d") {
                data.dtype = d.get("dt").and_then(Json::as_str).unwrap_or("?").to_owned();
                data.len = d.get("len").and_then(Json::as_u64).unwrap_or(0) as usize;
                let bufs = d.get("bufs").and_then(Json::as_array).unwrap_or(&[]);
                let which = if data.dtype == "utf8" || data.dtype == "binary" { 2 } else { 1 };
                if let Some(b) = bufs.get(which).and_then(Json::as_array) {
                    let off = b.first().and_then(Json::as_u64).unwrap_or(0) as usize;
                    let len = b.get(1).and_then(Json::as_u64).unwrap_or(0) as usize;
                    data.values = payload.get(off..off + len).map(<[u8]>::to_vec).unwrap_or_default();
                }
            }
            Event::Input { id: s("id"), metadata, data }
        }
        "input_closed" => Event::InputClosed { id: s("id") },
        "input_recovered" => Event::InputRecovered { id: s("id") },
        "node_restarted" => Event::NodeRestarted { id: s("id") },
        "node_failed" => Event::NodeFailed { id: s("id"), error: s("error") },
        "stop" => Event::Stop(match s("cause").as_str() {
            "MANUAL" => StopCause::Manual,
            "ALL_INPUTS_CLOSED" => StopCause::AllInputsClosed,
            other => StopCause::Other(other.into()),
        }),
        "error" => Event::Error(s("message")),
        _ => return None,
    })
}
