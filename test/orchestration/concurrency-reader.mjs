// Parses the queue and coordination files continuously (plain JSON.parse, no retry) until the
// stop file appears: any half-written file would fail here. Prints {reads, failures}.
import fs from 'node:fs';

const [queue, coordination, stopFile] = process.argv.slice(2);
let reads = 0;
const failures = [];
while (!fs.existsSync(stopFile)) {
  for (const file of [queue, coordination]) {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // not created yet
    }
    try {
      JSON.parse(text);
      reads++;
    } catch (error) {
      failures.push(`${file}: ${error.message}`);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(JSON.stringify({ reads, failures }));
