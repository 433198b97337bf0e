// Hand-kept word lists the name detector needs beside the generated lexicon:
// words that must never count as names in call telemetry, given names that are
// mostly ordinary words, honorifics, name particles, and the non-Latin anchors.
// Small and reviewable on purpose; extend them when a false positive shows up.

/** Identifier vocabulary of conferencing and telemetry: never a name, whatever the lexicons say. */
export const IDENTIFIER_WORDS: ReadonlySet<string> = new Set([
  'standup', 'stand', 'sales', 'room', 'rooms', 'test', 'tests', 'testing', 'guest', 'guests', 'daily', 'weekly',
  'monthly', 'support', 'team', 'teams', 'meeting', 'meet', 'call', 'calls', 'conference', 'conf', 'sync', 'demo',
  'review', 'planning', 'retro', 'sprint', 'board', 'all', 'hands', 'town', 'hall', 'office', 'hours', 'lobby',
  'audio', 'video', 'screen', 'share', 'track', 'stream', 'peer', 'user', 'admin', 'host', 'moderator', 'speaker',
  'webinar', 'interview', 'onboarding', 'training', 'class', 'lesson', 'session', 'main', 'stage', 'breakout',
  'kickoff', 'launch', 'project', 'alpha', 'beta', 'gamma', 'delta', 'prod', 'staging', 'dev', 'qa', 'ops',
  'engineering', 'marketing', 'finance', 'legal', 'hr', 'design', 'product', 'customer', 'success', 'partner',
  'north', 'south', 'east', 'west', 'central', 'global', 'europe', 'america', 'asia', 'opus', 'vp8', 'vp9', 'av1',
  'h264', 'pcmu', 'pcma', 'g722', 'red', 'ulpfec', 'rtx', 'inbound', 'outbound', 'remote', 'local', 'candidate',
  'relay', 'srflx', 'prflx', 'turn', 'stun', 'udp', 'tcp', 'tls', 'mic', 'camera', 'default', 'communications',
  'mobile', 'desktop', 'web', 'android', 'ios', 'chrome', 'firefox', 'safari', 'edge', 'mac', 'windows', 'linux',
  'coffee', 'chat', 'catch', 'up', 'one', 'new', 'old', 'big', 'small', 'blue',
  'gold', 'silver', 'summer', 'winter', 'spring', 'autumn', 'morning', 'evening', 'night', 'lunch', 'dinner',
])

/** Given names that are far more often ordinary words: weak alone, fine next to a real surname. */
export const WORD_LIKE_GIVEN_NAMES: ReadonlySet<string> = new Set([
  'mark', 'will', 'may', 'june', 'april', 'august', 'bill', 'art', 'guy', 'rose', 'grace', 'hope', 'faith', 'joy',
  'chase', 'frank', 'pat', 'rich', 'sue', 'dawn', 'summer', 'autumn', 'holly', 'ivy', 'jade', 'ruby', 'crystal',
  'amber', 'penny', 'sunny', 'sky', 'river', 'rock', 'stone', 'king', 'price', 'ray', 'max', 'sonny', 'page',
  'paige', 'lane', 'dale', 'glen', 'wood', 'cliff', 'heath', 'forest', 'bud', 'buck', 'cash', 'chip', 'gene',
  'earl', 'duke', 'prince', 'major', 'royal', 'star', 'storm', 'rain', 'misty', 'candy', 'honey', 'ginger',
  'pepper', 'cherry', 'olive', 'daisy', 'lily', 'iris', 'violet', 'hazel', 'pearl', 'opal', 'ebony', 'destiny',
  'harmony', 'melody', 'trinity', 'miracle', 'precious', 'unique', 'royalty', 'justice', 'liberty', 'charity',
  'patience', 'victoria', 'paris', 'london', 'dallas', 'austin', 'phoenix', 'jordan', 'israel', 'india', 'china',
  'georgia', 'carolina', 'virginia', 'brooklyn', 'sydney', 'florence', 'lincoln', 'madison', 'denver', 'houston',
  'memphis', 'nevada', 'dakota', 'cleveland', 'logan', 'ford', 'don', 'jean', 'long', 'young', 'gay', 'an', 'so',
])

/** Honorifics that make the capitalised words after them a name (`Dr. Jan-Kees Lantsheer`). */
export const TITLES: ReadonlySet<string> = new Set([
  'dr', 'prof', 'mr', 'mrs', 'ms', 'mx', 'miss', 'sir', 'dame', 'herr', 'frau', 'mme', 'mlle', 'sr', 'sra', 'srta',
  'dott', 'ing', 'mag', 'dipl', 'pan', 'pani',
])

/** Lower-case particles allowed between name words (`Ludwig van Beethoven`). */
export const PARTICLES: ReadonlySet<string> = new Set([
  'van', 'von', 'der', 'den', 'de', 'la', 'le', 'da', 'di', 'del', 'della', 'dos', 'das', 'du', 'ter', 'ten', 'zu',
  'bin', 'ibn', 'al', 'el', 'y', 'bint', 'abu', 'thi', 'vom', 'zur', 'het', 'des', 'dei', 'degli', 'af',
])

/** Most frequent surnames in Han script (Chinese one-character, Japanese two-character). */
export const HAN_SURNAMES: ReadonlySet<string> = new Set([
  ...'王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯',
  '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田', '佐々木', '山口', '松本',
  '井上', '木村', '林', '斎藤', '清水', '山崎', '森', '池田', '橋本', '阿部', '石川', '山下', '中島', '石井', '小川',
  '前田', '岡田', '長谷川', '藤田', '後藤', '近藤', '村上', '遠藤', '青木', '坂本', '斉藤', '福田', '太田', '西村', '藤井',
])

/** Most frequent Korean surname syllables. */
export const HANGUL_SURNAMES: ReadonlySet<string> = new Set([...'김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나엄'
  + '원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌'])

/**
 * Place, brand, holiday and common-phrase words that turn the words next to
 * them into a thing, not a person: `Apple Park`, `Patrick Day`, `Miller Time`,
 * `Sandy Bridge`, `Santa Clara`, `Saint Louis`, `Ben and Jerry`. Vetoed like
 * IDENTIFIER_WORDS. The price: a person whose surname is one of these (`Park`,
 * `Day`, `Hill`, `Lake`) is only found with a stronger neighbour or not at all.
 */
export const NON_NAME_WORDS: ReadonlySet<string> = new Set([
  // places and buildings
  'park', 'bridge', 'road', 'street', 'st', 'avenue', 'ave', 'way', 'boulevard', 'blvd', 'square', 'plaza', 'platz',
  'strasse', 'allee', 'rue', 'via', 'cross', 'circus', 'hill', 'hills', 'hole', 'vineyard', 'vineyards', 'station', 'line',
  'terminal', 'airport', 'harbor', 'harbour', 'wharf', 'pier', 'port', 'bay', 'beach', 'coast', 'island', 'lake', 'river',
  'creek', 'falls', 'valley', 'canyon', 'mount', 'mountain', 'mt', 'fort', 'castle', 'palace', 'tower', 'towers', 'museum',
  'memorial', 'monument', 'cathedral', 'church', 'chapel', 'abbey', 'garden', 'gardens', 'market', 'mall', 'center', 'centre',
  'campus', 'college', 'university', 'institute', 'school', 'academy', 'library', 'clinic', 'hospital', 'hotel', 'inn', 'pub',
  'cafe', 'restaurant', 'kitchen', 'studio', 'lab', 'labs', 'hub', 'warehouse', 'datacenter', 'branch', 'mile', 'trip',
  'offsite', 'city', 'county', 'state', 'village', 'heights', 'springs', 'field', 'fields',
  'san', 'santa', 'sao', 'saint', 'sankt', 'rio', 'monte', 'cape', 'los', 'las', 'lago', 'isla', 'puerto',
  // time, holidays and events
  'day', 'days', 'week', 'weekend', 'month', 'year', 'time', 'hour', 'night', 'eve', 'party', 'parade', 'festival', 'fest',
  'celebration', 'holiday', 'holidays', 'christmas', 'xmas', 'easter', 'thanksgiving', 'halloween', 'diwali', 'hanukkah',
  'ramadan', 'eid', 'passover', 'potluck', 'brunch', 'drinks', 'hunt', 'egg', 'trivia', 'quiz', 'hackathon', 'offsite',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'july',
  'september', 'october', 'november', 'december',
  // brands, products and code names
  'benz', 'amg', 'bank', 'burgers', 'burger', 'pizza', 'rice', 'bean', 'beans', 'sandwich', 'mouse', 'duck', 'pig',
  'builder', 'engine', 'option', 'complex', 'values', 'con', 'pi', 'mongers', 'numbat', 'bell', 'capitan', 'model',
  'captain', 'uncle', 'aunt', 'papa', 'mama', 'motors', 'airlines', 'foundation', 'group', 'inc', 'ltd', 'gmbh', 'corp',
  'company', 'co', 'club', 'league', 'cup', 'series', 'edition', 'version', 'release', 'upgrade', 'migration', 'rollout',
  // function words that join things, not names
  'and', 'the', 'of', 'in', 'on', 'at', 'for', 'to', 'with', 'from', 'by', 'vs', 'or', 'my', 'our', 'your',
])

/** Brand and place names made of two name-like words: never a person together. */
export const NON_NAME_PAIRS: ReadonlySet<string> = new Set([
  'mercedes benz', 'wells fargo', 'morgan stanley', 'goldman sachs', 'harley davidson', 'rolls royce', 'procter gamble',
  'ernst young', 'marks spencer', 'dolce gabbana', 'johnson johnson', 'ben jerry', 'kit kat', 'chick fil', 'raleigh durham',
  'jelly bean', 'jackson hole', 'martha vineyard', 'abbey road', 'kings cross', 'charing cross', 'elizabeth line',
  'victoria line', 'jubilee line', 'ruby tuesday', 'earl grey', 'penny lane', 'ivy league', 'noble numbat',
  'lehman brothers', 'warner bros', 'barnes noble', 'simon schuster', 'bang olufsen', 'black decker', 'baker mckenzie',
  'jack wolfskin', 'dr pepper', 'dr martens', 'mr clean', 'mr bean', 'perl mongers', 'julia con', 'ebony ivory', 'miracle mile',
])
