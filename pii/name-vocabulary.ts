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
  // The Hundred Family Surnames (single characters that are everyday words left out: 和 平 明 文 国 家 时 山 水 云 花 车 ...), traditional forms, compound surnames.
  ...'赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏窦章苏潘葛奚范彭郎鲁韦昌马苗凤方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常于傅皮卞齐康伍余卜顾孟黄穆萧尹姚邵湛汪祁毛禹狄米贝臧伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞柯昝管卢莫房裘缪解宗丁宣贲邓郁杭洪诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗谷侯宓蓬郗班仰仲伊宁仇栾暴甘钭厉戎祖武符刘詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰鄂索咸籍赖卓蔺屠蒙池乔胥苍闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍璩桑桂濮牛寿扈燕冀郏浦尚农温庄晏柴瞿阎慕连茹习宦艾鱼容古慎戈廖庾暨居衡耿弘匡寇阙欧殳沃蔚夔隆师巩厍聂晁勾敖融冷訾辛阚饶曾毋沙乜鞠巢蒯荆竺逯桓趙錢孫鄭馮陳衛蔣韓楊許呂張嚴華謝鄒竇蘇魯韋馮鳳費鮑湯羅畢鄔顧蕭貝紀龐項閔藍賈婁顏鍾駱樊盧繆鄧龔陸榮鈕邢靳賴藺喬聞譚勞鄺閻溫莊廖歐聶饒葉黎龍劉',
  '欧阳', '歐陽', '司马', '司馬', '上官', '诸葛', '諸葛', '夏侯', '东方', '東方', '皇甫', '尉迟', '尉遲', '公孙', '公孫', '长孙', '長孫', '慕容', '令狐', '司徒', '宇文', '轩辕', '軒轅', '端木', '上官', '申屠', '独孤', '獨孤', '南宫', '南宮', '西门', '西門',
  '井上', '木村', '林', '斎藤', '清水', '山崎', '森', '池田', '橋本', '阿部', '石川', '山下', '中島', '石井', '小川',
  '前田', '岡田', '長谷川', '藤田', '後藤', '近藤', '村上', '遠藤', '青木', '坂本', '斉藤', '福田', '太田', '西村', '藤井',
  '金子', '岡本', '藤原', '中野', '三浦', '原田', '中川', '松田', '竹内', '小野', '田村', '中山', '和田', '石田', '森田', '上田', '原', '柴田', '酒井', '工藤', '横山', '宮崎', '宮本', '内田', '高木', '安藤', '島田', '谷口', '大野', '高田', '丸山', '今井', '河野', '藤本', '村田', '武田', '上野', '杉山', '増田', '小山', '大塚', '平野', '菅原', '久保', '松井', '千葉', '岩崎', '桜井', '木下', '野口', '松尾', '菊地', '野村', '新井', '渡部', '佐野', '杉本', '古川', '大西', '市川', '浅野', '高野', '荒木', '久保田', '小島', '北村', '水野', '中西', '平田', '吉川', '西田', '土屋', '松下', '小松', '永井', '小西', '本田', '山内', '川口', '片山', '大橋', '石原', '服部', '樋口', '吉村', '秋山', '松岡', '中田', '岩田', '川村', '辻', '早川', '菊池', '関', '宮田', '大石', '望月', '西川', '五十嵐', '須藤', '熊谷', '内藤', '桑原', '松浦', '馬場', '飯田', '原', '大久保', '小田', '中尾', '黒田',
])

/** Most frequent Korean surname syllables. */
export const HANGUL_SURNAMES: ReadonlySet<string> = new Set([...'김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나엄'
  + '원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌'
  // Since round 2: the rest of the census table's family names with more than ~1,000 bearers,
  // and the North Korean / older spellings of the frequent ones (리 for 이, 로 for 노, 림 for 임).
  + '채지계팽승간상시견당화삼단순즙묵매빙야평포풍필학해혁후흥리로림량렴룡륙'])

/** Two-syllable Korean family names (남궁 Namgung, 황보 Hwangbo, 제갈 Jegal...): the census's compound ones. */
export const HANGUL_COMPOUND_SURNAMES: ReadonlySet<string> = new Set(['남궁', '황보', '제갈', '사공', '선우', '서문', '독고', '동방', '망절', '어금', '소봉'])

/**
 * Syllables no Korean given name holds: verb endings and particles (`-는`, `-를`, `-요`,
 * past-tense `-았/었/했`), the honorific `님` and the plural `들`. A three-syllable word
 * holding one after a family-name syllable is an everyday word (`이것을`), not a name.
 */
export const HANGUL_NON_NAME_SYLLABLES: ReadonlySet<string> = new Set([...'것는를을까요죠데게네냐니뭐왜거걸겠었았했있없않됐됩합습입십님들에께며'
  + '했갔왔봤났렸썼줬겼떻렇같씩쯤요듯뿐째'])

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
