// Realistic meeting, room and conference names, written into ids the way
// people and tools do (Title Case, slug, snake_case, camelCase, with counters).
// Many carry words that are also personal names (Patrick, Jordan, Grace,
// Miller, Mercedes): none of them names a person, so every flag is a false
// positive. Names that are a whole person's name (`Harry Potter`, `Martin
// Luther King Day`) are left out: flagging those is right. Hand-written, deterministic; negatives for detector-quality.test.ts.

/** Base phrases, as a person would type the room title. */
export const ROOM_PHRASES: readonly string[] = [
  // everyday meeting titles
  'Weekly Sync', 'Daily Standup', 'Team Lunch', 'Friday Drinks', 'Monday Kickoff', 'Quarterly Business Review', 'Budget Review',
  'Roadmap Planning', 'Hiring Committee', 'Design Crit', 'Bug Bash', 'Release Train', 'Incident Postmortem', 'Ask Me Anything',
  'Open Office Hours', 'Lunch and Learn', 'Book Club', 'Happy Hour', 'Brown Bag Session', 'Fireside Chat', 'Town Hall',
  'Deep Work Block', 'Focus Time', 'Quiet Room', 'Phone Booth', 'War Room', 'Green Room', 'Big Conference Room', 'Board Room',
  // name-like words in place, brand, holiday and common-phrase roles
  'Apple Park', 'Miller Time', 'Christian Values', 'Mercedes Benz demo', 'Sandy Bridge planning', 'Patrick Day party',
  'Jordan market review', 'Austin office', 'Grace period review', 'Rose garden', 'Victoria station', 'Ivy Bridge', 'Kaby Lake',
  'Coffee Lake', 'Alder Lake', 'Raptor Lake', 'Tiger Lake', 'Cannon Lake', 'Crystal Palace', 'Hyde Park', 'Central Park',
  'Regent Street', 'Oxford Street', 'Abbey Road', 'Baker Street', 'Paddington Station', 'Kings Cross', 'Charing Cross',
  'Canary Wharf', 'Liverpool Street', 'Victoria Line', 'Jubilee Line', 'Elizabeth Line', 'Piccadilly Circus', 'Covent Garden',
  'Notting Hill', 'Primrose Hill', 'Madison Square Garden', 'Jackson Hole', 'Martha Vineyard', 'Santa Monica', 'San Diego office',
  'Saint Patrick Day', 'Valentine Day', 'Mother Day brunch', 'Father Day', 'Boxing Day', 'Thanksgiving potluck', 'Christmas party',
  'Easter egg hunt', 'Halloween costume contest', 'Diwali celebration', 'Lunar New Year', 'Bastille Day', 'Guy Fawkes night',
  'Columbus Day', 'Labor Day', 'Memorial Day', 'Independence Day', 'Canada Day', 'Victoria Day',
  'Pi Day', 'Star Wars Day', 'Black Friday prep', 'Cyber Monday', 'Earth Day', 'Pride Month kickoff',
  'Ben and Jerry', 'Wells Fargo', 'Morgan Stanley', 'Goldman Sachs', 'Johnson and Johnson', 'Harley Davidson', 'Rolls Royce',
  'Marks and Spencer', 'Dolce Gabbana', 'Procter Gamble', 'Ernst Young', 'Mercedes AMG', 'Porsche Taycan', 'Tesla Model',
  'Ford Mustang', 'Chevy Malibu', 'Toyota Camry', 'Honda Civic', 'Jeep Cherokee', 'Dodge Charger', 'Lincoln Navigator',
  'Captain Morgan', 'Dunkin Donuts', 'Wendy burgers',
  'Chick Fil A', 'Taco Bell', 'Papa John', 'Little Caesars', 'Uncle Ben rice', 'Aunt Jemima',
  'Mickey Mouse', 'Minnie Mouse', 'Donald Duck', 'Winnie the Pooh', 'Peppa Pig',
  'Bob the Builder', 'Thomas the Tank Engine', 'Alice in Wonderland',
  // code names and products
  'Jelly Bean', 'Kit Kat', 'Ice Cream Sandwich', 'Big Sur', 'High Sierra', 'El Capitan', 'Monterey upgrade', 'Sonoma rollout',
  'Ventura beta', 'Sequoia release', 'Catalina migration', 'Mojave cleanup', 'Jammy Jellyfish', 'Focal Fossa', 'Noble Numbat',
  'Bookworm upgrade', 'Project Phoenix', 'Project Atlas', 'Project Mercury', 'Project Apollo', 'Project Gemini', 'Project Artemis',
  'Operation Sunrise', 'Codename Aurora', 'Falcon Heavy', 'Dragon Capsule', 'Blue Origin', 'Virgin Galactic', 'Rocket Lab',
  'Raspberry Pi workshop', 'Arduino Uno', 'Jupyter Notebook', 'Kubernetes Office Hours', 'Grafana dashboards', 'Kafka Connect',
  'Jenkins pipeline', 'Jira triage', 'Confluence cleanup', 'Sonar Qube', 'Angular upgrade', 'Django Girls', 'Rails Bridge',
  'Ruby Meetup', 'Crystal Lang', 'Julia Con', 'Perl Mongers', 'Rust Belt Rust', 'Go Gopher', 'Swift Playgrounds',
  // places and offices
  'London office', 'Paris office', 'Sydney office', 'Dallas warehouse', 'Houston launch', 'Denver hub', 'Phoenix datacenter',
  'Florence trip', 'Georgia campus', 'Virginia datacenter', 'Carolina branch', 'Brooklyn studio', 'Madison hub', 'Cleveland clinic',
  'Lincoln Center', 'Jefferson Memorial', 'Washington Monument', 'Victoria Falls', 'Lake Louise', 'Mount Rainier', 'Mount Everest',
  'Jordan River', 'Chelsea Market', 'Camden Market', 'Portobello Road', 'Kensington Palace', 'Buckingham Palace', 'Windsor Castle',
  'Edinburgh Castle', 'Mont Blanc', 'Monte Carlo', 'San Marino', 'Santa Barbara', 'Santa Clara', 'San Jose', 'San Antonio',
  'Saint Louis', 'Saint Paul', 'Fort Worth', 'Charlotte office', 'Raleigh Durham', 'Salt Lake', 'Las Vegas offsite',
  'Silicon Valley', 'Golden Gate', 'Alexander Platz', 'Potsdamer Platz', 'Marien Platz', 'Rue de Rivoli',
  // common phrases that contain name-like words
  'Grace Note', 'Hope Springs', 'Faith Based', 'Joy Division', 'Frank Talk', 'Will Power', 'Mark Down', 'Rich Text', 'Sue Me',
  'Dawn Patrol', 'Summer Intern Demo', 'Holly Jolly', 'Ivy League', 'Ruby Tuesday', 'Penny Lane', 'Sunny Side', 'River Walk',
  'Rock Bottom', 'Stone Age', 'King Size', 'Price Check', 'Max Capacity', 'Page Speed', 'Lane Change', 'Glen Coe', 'Wood Shop',
  'Cliff Notes', 'Forest Green', 'Cash Flow', 'Chip Shortage', 'Gene Therapy', 'Earl Grey', 'Prince Charming', 'Royal Mail', 'Star Gazing', 'Storm Watch', 'Rain Check', 'Candy Crush', 'Honey Badger',
  'Ginger Bread', 'Pepper Spray', 'Cherry Pick', 'Olive Garden', 'Daisy Chain', 'Lily Pad', 'Iris Scan', 'Violet Hour',
  'Hazel Nut', 'Pearl Harbor', 'Destiny Child', 'Harmony Hall', 'Melody Maker', 'Trinity College', 'Justice League',
  'Liberty Bell', 'Charity Drive', 'Patience Game', 'Ford Foundation', 'Long Weekend', 'Young Professionals', 'Bill Pay',
  'Art Club', 'Guy Talk', 'Chase Bank', 'Pat Down', 'Dale Farm', 'Buck Stops Here', 'Bud Light',
  'Sterling Silver', 'Amber Alert', 'Ebony Ivory', 'Jade Garden', 'Opal Card', 'Miracle Mile', 'Precious Metals',
  'Christian Values workshop', 'Benedict Option', 'Elizabeth Tower', 'Albert Hall', 'Charles River',
  'Jacob Creek', 'Napoleon Complex',
]

function words(phrase: string): string[] {
  return phrase.split(/[\s-]+/).filter((w) => w !== '')
}

/**
 * Every phrase in one deterministic identifier shape (cycled by index), so the
 * group covers Title Case, slug, snake_case, camelCase and counters evenly.
 */
export function roomNameSamples(): string[] {
  const out: string[] = []
  ROOM_PHRASES.forEach((phrase, i) => {
    const w = words(phrase)
    const lower = w.map((x) => x.toLowerCase())
    const shapes = [
      phrase,
      lower.join('-'),
      lower.join('_'),
      lower[0] + w.slice(1).map((x) => x.charAt(0).toUpperCase() + x.slice(1).toLowerCase()).join(''),
      `${lower.join('-')}-${(i % 9) + 1}`,
      w.map((x) => x.charAt(0).toUpperCase() + x.slice(1)).join(''),
    ]
    out.push(shapes[i % shapes.length]!)
    out.push(shapes[(i + 1) % shapes.length]!)
  })
  return out
}

/**
 * Written after the vetoes in pii/name-vocabulary.ts and never used to
 * tune them: an honest estimate of how the detector does on room names nobody
 * curated for. Reported by detector-quality.test.ts, not asserted.
 */
export const UNSEEN_ROOM_NAMES: readonly string[] = [
  'Bourbon Street social', 'Graham Cracker', 'Marshall Plan', 'Hudson Yards', 'Kennedy Airport shuttle', 'Carnegie Hall',
  'Rockefeller Plaza', 'Douglas Fir', 'Nelson Column', 'Wellington Boots', 'Jordan Almonds', 'Sherman Oaks', 'Beverly Hills',
  'Chester Zoo', 'Winston Salem', 'Stanley Cup watch party', 'Grant Proposal', 'Baldwin Piano', 'Sinclair Broadcast', 'Mason Jar',
  'Murphy Law', 'Cooper Mini', 'Porter Ale', 'Fletcher Building', 'Walker Art Center', 'Hunter Valley', 'Dallas Cowboys',
  'Denver Broncos', 'Madison Avenue', 'Lincoln Tunnel', 'Georgia Tech alumni', 'Carolina Panthers', 'Charlotte Hornets',
  'Jackson Five', 'Jefferson Airplane', 'Elvis week', 'Oscar Night', 'Emmy Awards', 'Tony Awards', 'Grammy night',
  'Nobel Prize lecture', 'Hubble Telescope', 'Kepler mission', 'Newton Room', 'Darwin Room', 'Curie Room', 'Tesla Room',
  'Edison Room', 'Turing Room', 'Lovelace Room', 'Hopper Room', 'Amelia Island', 'Victoria Secret', 'Sandra Bay', 'Chris Cross',
]
