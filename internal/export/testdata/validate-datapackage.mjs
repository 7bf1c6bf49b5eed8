// Validates a Frictionless data package with frictionless-js (the npm
// packages datapackage and tableschema): the descriptor against the
// tabular-data-package profile, then every resource's rows cast by its Table
// Schema (types, required, enum, minimum, maximum) with its primary key
// unique, and its foreign keys resolved against the referenced resources.
//
// Usage: node validate-datapackage.mjs <package.zip or datapackage.json>
// Prints every error and exits 1 when there is one; prints a summary and
// exits 0 otherwise.
import datapackage from 'datapackage';
import tableschema from 'tableschema';

const { Package } = datapackage;
const { Table } = tableschema;

const source = process.argv[2];
if (!source) {
  console.error('usage: node validate-datapackage.mjs <package.zip or datapackage.json>');
  process.exit(2);
}

const errors = [];

// The libraries throw some errors inside their streams, out of reach of
// try: report them with the errors found so far.
process.on('uncaughtException', (error) => {
  errors.push(`frictionless-js stopped: ${error.message}`);
  report();
});

// report prints the errors and exits 1, or prints summary and exits 0.
function report(summary = []) {
  if (errors.length > 0) {
    for (const error of errors) console.error(error);
    process.exit(1);
  }
  console.log(`valid: ${summary.join(', ')}`);
  process.exit(0);
}

// rowErrors adds the errors among rows read with forceCast, which returns a
// failing row as its error instead of stopping.
function rowErrors(name, rows, only = () => true) {
  for (const row of rows) {
    if (row instanceof Error && only(row)) {
      const details = (row.errors ?? []).map((e) => e.message).join('; ');
      errors.push(`${name}: ${row.message}${details ? ': ' + details : ''}`);
    }
  }
}

const pkg = await Package.load(source, { strict: false });
if (pkg.descriptor.profile !== 'tabular-data-package') {
  errors.push(`descriptor: profile is ${pkg.descriptor.profile}, want tabular-data-package`);
}
for (const error of pkg.errors) {
  errors.push(`descriptor: ${error.message}`);
}

const summary = [];
for (const resource of pkg.resources) {
  if (!resource.valid) {
    // The package errors above tell why; its rows cannot be cast.
    errors.push(`${resource.name}: rows not checked, its descriptor is invalid`);
    continue;
  }
  if (!resource.tabular) {
    errors.push(`${resource.name}: not a tabular resource`);
    continue;
  }
  try {
    // forceCast stops at no row, but a wrong header still throws.
    const rows = await resource.read({ forceCast: true });
    rowErrors(resource.name, rows);
    summary.push(`${resource.name} ${rows.length}`);
  } catch (error) {
    errors.push(`${resource.name}: ${error.message}`);
    continue;
  }
  const headers = resource.headers ?? [];
  const fields = resource.schema.fieldNames;
  if (headers.join(',') !== fields.join(',')) {
    errors.push(`${resource.name}: header ${headers.join(',')} is not the schema's fields ${fields.join(',')}`);
  }

  // One foreign key at a time: tableschema-js replaces a row's key values
  // by the referenced row as it resolves each foreign key, so a second key
  // sharing a field (reports' release) would be checked against the wrong
  // values (tableschema-py fixed the same bug in its pull request 251).
  const schema = resource.descriptor.schema;
  for (const foreignKey of schema.foreignKeys ?? []) {
    const target = foreignKey.reference.resource;
    const referenced = target === '' ? resource : pkg.getResource(target);
    if (!referenced || !referenced.valid) {
      errors.push(`${resource.name}: foreign key ${foreignKey.fields} references a missing or invalid resource ${target}`);
      continue;
    }
    const table = await Table.load(resource.source, { schema: { ...schema, foreignKeys: [foreignKey] } });
    // Rows of the referenced resource that fail to cast are reported above.
    const targets = await referenced.read({ keyed: true, forceCast: true });
    const relations = { [target]: targets.filter((row) => !(row instanceof Error)) };
    const rows = await table.read({ relations, forceCast: true });
    rowErrors(resource.name, rows, (error) => error.message.startsWith('Foreign key'));
  }
}

report(summary);
