// Writes the model table (rendered from the compiled catalogue) into README.md between its markers.
const fs = require('fs');
const path = require('path');
const { renderModelTable } = require('../dist/nodes/shared/catalogue/modelTable');

const readmePath = path.resolve(__dirname, '..', 'README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
const start = '<!-- models:start -->';
const end = '<!-- models:end -->';
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
fs.writeFileSync(readmePath, `${before}\n${renderModelTable()}\n${after}`);
console.log('README model table updated');
