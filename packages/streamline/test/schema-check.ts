/**
 * Validation of a streamline.json against the JSON Schema the package ships
 * (`schema/streamline.schema.json`), for every test that writes or builds one, here and in the CLI
 * and web app's tests.
 */
import { Ajv } from 'ajv';
import schema from '../schema/streamline.schema.json' with { type: 'json' };

const validate = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  validateFormats: false,
}).compile(schema);

/** The schema's complaints about `report` (after a JSON round trip, as a file holds it); [] if none. */
export function schemaErrors(report: unknown): string[] {
  const asWritten = JSON.parse(JSON.stringify(report));
  if (validate(asWritten)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}
