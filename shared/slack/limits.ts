/**
 * Slack's limits the bot works within, in one place, each with its source.
 *
 * Block Kit (https://docs.slack.dev/reference/block-kit/blocks/section-block, .../block-elements/button-element,
 * .../composition-objects/text-object): a section's text at most 3000 characters, a field's or a
 * context element's 2000, a button's value 2000.
 */
export const SECTION_TEXT_MAX = 3000;
export const FIELD_TEXT_MAX = 2000;
export const BUTTON_VALUE_MAX = 2000;

/**
 * An interaction's response_url: "up to 5 times within 30 minutes"
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses).
 */
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_LIFE_MS = 30 * 60_000;
