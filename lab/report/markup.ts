// Escaping shared by the SVG and HTML reports. Their text comes from lab names, step names,
// failure messages and serial logs, so every piece goes through here before it becomes markup.

/** Terminal colour codes (kubectl, systemctl) would otherwise show up as "[31m". */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point.
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/**
 * What XML 1.0 forbids even as a character reference: control characters other than tab,
 * newline and carriage return, lone surrogates (the `u` flag sees them as single code points),
 * U+FFFE and U+FFFF. An SVG holding one of them does not parse at all.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in element content and in quoted attribute values, for both XML and HTML. */
export function escapeMarkup(value: string): string {
  return value
    .replace(ANSI_SEQUENCE, '')
    .replace(NOT_XML_CHAR, '')
    .replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/**
 * ` name="value"` for each entry, escaped; entries whose value is undefined are left out.
 * Tabs and line breaks become character references: a parser would otherwise turn them into
 * spaces (attribute-value normalisation), flattening a multi-line failure message.
 */
export function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${attributeValue(String(value))}"`)
    .join('');
}

function attributeValue(value: string): string {
  return escapeMarkup(value).replace(/[\t\n\r]/g, (char) => `&#${char.charCodeAt(0)};`);
}
