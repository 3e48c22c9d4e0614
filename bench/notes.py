"""What results.md says about method, and about each target when it is missed (why, and what would fix it)."""

from __future__ import annotations

METHOD = [
    "Every app under test is a fresh process started with this interpreter (`python -m identity_tui`, no "
    "launcher script) on a pseudo-terminal of 80x24, with config, data and state in a temp dir. Bytecode "
    "caches of `identity_tui` are written first (`compileall`), as installing the package does.",
    "The bench plays the terminal: it answers Textual's query for synchronized output (mode 2026) as "
    "kitty, WezTerm or iTerm do, so every frame arrives between `ESC[?2026h` and `ESC[?2026l`. A frame's "
    "time is when its closing marker is read from the pty; text is matched after removing escape "
    "sequences. Output before that answer is seen (the first frame, sometimes) is matched as it arrives.",
    "Key-to-paint: the time the key's bytes are written to the pty until the end of the first frame "
    "showing its effect: any frame for a cursor move, the footer's `Page N · rows` for a page turn, the "
    "typed text in the filter box for a character. The bench waits for the screen to go quiet between "
    "keys, so each figure is one key's latency, not a queue's.",
    "First page after its response: the sandbox behind `ServerThread` logs when each answer is ready "
    "(`time.perf_counter()`, one clock for all processes on Linux); the figure is from the first list "
    "answer to the frame showing its rows. With no added latency the answer often comes before the "
    "app's first frame, and then the figure also covers building the screen around the table.",
    "Cold start runs the app on a sandbox file (no network); the list sessions run it against "
    "`--base-url`, so their first page after launch also includes creating the HTTP client (for an "
    "`http://` URL without a proxy it reads no CA bundle).",
    "Latency is added inside the server: each request sleeps 200 ms on its own thread before it is "
    "answered, so concurrent requests overlap as they would behind a slow link.",
    "Peak RSS is `VmHWM` from `/proc/<pid>/status` of the app process at the end of its session.",
    "Medians and percentiles interpolate between ranks. The machine is shared and noisy: single figures "
    "move by 10-30% between runs; ratios against a baseline from the same run move less.",
]

# Shown in results.md for a target that is missed, or passed at 80% or more of its limit.
NOTES = {
    "start": (
        "the bare app imports `textual.app` and paints one label. On top of that the list imports httpx "
        "(~21 ms: the client needs it for the first request even on the sandbox, whose in-process "
        "transport is an httpx transport, so that both take the same code path), its own modules and the "
        "sandbox with SQLite (~13 ms), then Textual builds a real screen: the styles of a text field, the "
        "table, the key bar and three status lines parsed and applied (~15-20 ms), the sandbox answers a "
        "health check and a page, and the first frame lays out and paints the visible rows. Done (1.99x before): "
        "list pages are read without pydantic, which now loads after the first paint (~60 ms); httpx "
        "without its command-line tool (click, pygments: ~16 ms here); a Line API table instead of "
        "DataTable and a one-widget key bar instead of Footer's widget per key, and a one-widget status line; the draft check after the "
        "first paint; tomllib, the seeder and email.utils only when used; no garbage collection during "
        "start-up. Over a dozen runs of this step on this machine the ratio went from 1.30 to 1.36 (the bare "
        "app's median alone moved between 171 and 195 ms over this session's runs). Tried and measured "
        "slower: making the list the app's default screen instead of pushing "
        "it. What would close the rest: a sandbox path that skips httpx until after the first paint (at "
        "the price of two code paths to the same server), or fewer widgets on the first screen; a 1.3x "
        "budget leaves ~55 ms here for an HTTP client, SQLite, a text field and a table together."
    ),
    "first_page": "the page is parsed, laid out and painted on the UI thread after the response arrives.",
    "key_cursor": "a cursor move repaints two lines of the table; a p95 above 50 ms means the UI thread "
                  "was busy with other work when the key arrived.",
    "key_page": (
        "a page turn is CPU on the UI thread: about 2 ms to swap the 50 rows into the DataTable, 3 ms for "
        "DataTable to measure them, and 15 ms to render the visible rows, each cell through Rich "
        "(padding, cropping, styles), so p50 is ~20-25 ms on a quiet machine, and when other work shares "
        "the 2 cores (see the load averages) the whole distribution moves up with it: over a dozen runs "
        "on this machine p95 ranged from 37 to 70 ms, passing when the machine was quiet. Done: the footer "
        "line no longer forces a layout of the whole screen on every turn, the next page's prefetch "
        "starts after the paint instead of competing with it, and a frozen start-up heap keeps garbage "
        "collection pauses (50-60 ms each before) out of the way. What would fix it: a Line API table "
        "that writes the visible rows straight to strips (a few ms per page) instead of DataTable."
    ),
    "key_type": "each character re-renders the filter box; a p95 above 50 ms means the UI thread was busy.",
    "filter_requests": "the name filter sent a request for a partial name: its debounce did not hold.",
    "rss": (
        "the resident set levels off: measured along a session, ~62 MB with the first page, ~66 MB after "
        "moving the cursor (render caches), ~72 MB after 20 pages, and no growth over the next 80, since "
        "at most 8 pages are kept. The bare Textual app is ~33 MB; pydantic with the models adds ~8 MB and "
        "httpx's TLS context ~6 MB (loaded even for an `http://` URL). Creating that context only for "
        "`https://` servers (in the core client) would give the most head-room."
    ),
    "latency": "a cursor move waited on network work: something on the UI thread awaited the server.",
    "saves": "a save that removes no property took more than one request, or a save did not land.",
    "sandbox": "the sandbox's SQL for that filter scans more rows than an index would.",
}
