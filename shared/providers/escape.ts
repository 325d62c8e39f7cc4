/**
 * Text on its way into a URL or a form body, for every provider: one place for how strings are
 * escaped, and for what becomes of a string that is not valid Unicode.
 */

/**
 * The string with each lone surrogate replaced by U+FFFD, as the official Go SDKs see it: Go strings
 * are UTF-8, which cannot hold a lone surrogate, and Go's decoders (encoding/json, unicode/utf16)
 * write U+FFFD in its place — the NCP SDK sent "bad \ud800 text" as `bad+%EF%BF%BD+text`
 * (test/fixtures/oracle/vectors-ncp.json, create-kvm-lone-surrogate). encodeURIComponent
 * throws URIError on one instead.
 */
export const wellFormed = (value: string): string =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

/**
 * Go's url.QueryEscape, which the NCP SDK applies to every string field of a form body
 * (services/vserver/api_client.go convertToString) and the SCP SDK to every query value
 * (url.Values.Encode): A-Z a-z 0-9 - _ . ~ stay, space becomes "+", every other UTF-8 byte is %XX
 * in upper case ("my image 이미지+1*~" → "my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~", ncp.md §1.3).
 * encodeURIComponent differs only in leaving ! ' ( ) * alone and writing space as %20.
 */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(wellFormed(value))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** One path segment or query value, percent-encoded as encodeURIComponent does (iwinv documents no other). */
export const encodeSegment = (value: string): string => encodeURIComponent(wellFormed(value));
