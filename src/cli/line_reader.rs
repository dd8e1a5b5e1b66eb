//! The line editor (rustyline) on its own thread, so the interpreter thread can keep
//! running the event loop, and background tasks with it, while a prompt waits.
//!
//! The interpreter asks for one line at a time (`Request::Read`); the reply comes
//! back on a channel and the loop is woken through its external-completion notifier.
//! Tab completion needs the interpreter's names, so the editor posts a job to the
//! loop's external queue and waits (briefly) for the answer.

use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::event_loop::External;
use crate::vm::Vm;

/// What the interpreter thread asks of the editor thread.
pub enum Request {
    /// Show the prompt and read one line.
    Read(String),
    /// Add an entry (a whole statement, maybe several lines) to the history and save it.
    History(String),
}

/// What the editor thread answers to `Request::Read`.
pub enum Reply {
    Line(String),
    /// Ctrl-C at the prompt.
    Interrupted,
    /// Ctrl-D on an empty line, or end of input.
    Eof,
    Failed(String),
}

/// A printer that redraws the prompt around text written while a line is edited.
pub type Printer = Box<dyn rustyline::ExternalPrinter + Send>;

/// The interpreter's handle on the editor thread.
pub struct LineReader {
    requests: mpsc::Sender<Request>,
    pub replies: mpsc::Receiver<Reply>,
    pub printer: Option<Printer>,
}

/// Where history is kept: `$CORO_HISTORY` (empty: no history file), else
/// `~/.coro_history`.
pub fn history_path() -> Option<PathBuf> {
    match std::env::var_os("CORO_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".coro_history")),
    }
}

impl LineReader {
    /// Start the editor thread. `wake` posts completion jobs to the loop and wakes it.
    pub fn start(wake: (mpsc::Sender<External>, Arc<tokio::sync::Notify>), history: Option<PathBuf>) -> Result<LineReader, String> {
        let (req_tx, req_rx) = mpsc::channel::<Request>();
        let (rep_tx, rep_rx) = mpsc::channel::<Reply>();
        let (setup_tx, setup_rx) = mpsc::channel::<Result<Option<Printer>, String>>();
        std::thread::Builder::new()
            .name("coro-line-editor".into())
            .spawn(move || editor_thread(wake, history, req_rx, rep_tx, setup_tx))
            .map_err(|e| e.to_string())?;
        let printer = setup_rx.recv().map_err(|_| "the line editor thread failed to start".to_string())??;
        Ok(LineReader { requests: req_tx, replies: rep_rx, printer })
    }

    /// Ask for a line; the answer arrives on `replies`. False if the editor is gone.
    pub fn request_line(&self, prompt: &str) -> bool {
        self.requests.send(Request::Read(prompt.to_string())).is_ok()
    }

    pub fn add_history(&self, entry: &str) {
        let _ = self.requests.send(Request::History(entry.to_string()));
    }
}

fn editor_thread(
    wake: (mpsc::Sender<External>, Arc<tokio::sync::Notify>),
    history: Option<PathBuf>,
    requests: mpsc::Receiver<Request>,
    replies: mpsc::Sender<Reply>,
    setup: mpsc::Sender<Result<Option<Printer>, String>>,
) {
    let notify = wake.1.clone();
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::new() {
        Ok(r) => r,
        Err(e) => {
            let _ = setup.send(Err(format!("cannot start the line editor: {e}")));
            return;
        }
    };
    rl.set_helper(Some(ReplHelper { jobs: wake.0, notify: wake.1 }));
    if let Some(p) = &history {
        // A missing or unreadable history file just means an empty history.
        let _ = rl.load_history(p);
    }
    let printer = rl.create_external_printer().ok().map(|p| Box::new(p) as Printer);
    if setup.send(Ok(printer)).is_err() {
        return;
    }
    while let Ok(req) = requests.recv() {
        match req {
            Request::History(entry) => {
                let _ = rl.add_history_entry(entry);
                if let Some(p) = &history {
                    // Failing to save history must not end the session.
                    let _ = rl.save_history(p);
                }
            }
            Request::Read(prompt) => {
                let reply = match rl.readline(&prompt) {
                    Ok(line) => Reply::Line(line),
                    Err(ReadlineError::Interrupted) => Reply::Interrupted,
                    Err(ReadlineError::Eof) => Reply::Eof,
                    Err(e) => Reply::Failed(e.to_string()),
                };
                if replies.send(reply).is_err() {
                    return;
                }
                notify.notify_one();
            }
        }
    }
}

/// Completion through the interpreter thread; no hints, highlighting or validation
/// (the REPL decides itself when a statement is complete).
struct ReplHelper {
    jobs: mpsc::Sender<External>,
    notify: Arc<tokio::sync::Notify>,
}

impl Completer for ReplHelper {
    type Candidate = String;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<String>)> {
        // Tab in leading whitespace indents, as in Python's REPL.
        if line.get(..pos).map(|b| b.trim().is_empty()).unwrap_or(false) {
            return Ok((pos, vec!["    ".to_string()]));
        }
        let (tx, rx) = mpsc::channel();
        let text = line.to_string();
        let job: External = Box::new(move |vm: &Vm| {
            let _ = tx.send(super::complete::complete(vm, &text, pos));
        });
        if self.jobs.send(job).is_err() {
            return Ok((pos, Vec::new()));
        }
        self.notify.notify_one();
        // The interpreter answers between event-loop iterations; if it is busy, no
        // completions rather than a frozen prompt.
        Ok(rx.recv_timeout(Duration::from_millis(1500)).unwrap_or((pos, Vec::new())))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}
impl Highlighter for ReplHelper {}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}
