// Hand-written personal names for the labelled corpus, chosen from public
// "most common names" tables per locale, written independently of the build
// lexicon so that recall is measured, not assumed. Fictional combinations.
export interface NameSample { given: string; surname: string; locale: string }

const LATIN: Record<string, { given: string[]; surnames: string[] }> = {
  de: { given: ['Anna', 'Lukas', 'Sophie', 'Maximilian', 'Lena', 'Jonas', 'Katharina', 'Stefan', 'Ursula', 'Jürgen'], surnames: ['Schmidt', 'Müller', 'Schneider', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann', 'Schäfer', 'Krüger'] },
  nl: { given: ['Sanne', 'Daan', 'Femke', 'Bram', 'Lotte', 'Joost', 'Marieke', 'Pieter', 'Anouk', 'Sander'], surnames: ['Jansen', 'Visser', 'Smit', 'Bakker', 'Janssen', 'Mulder', 'Bos', 'Vos', 'Peters', 'Hendriks'] },
  en: { given: ['Emily', 'James', 'Olivia', 'William', 'Charlotte', 'Thomas', 'Jessica', 'Daniel', 'Rebecca', 'Andrew'], surnames: ['Smith', 'Johnson', 'Williams', 'Taylor', 'Davies', 'Evans', 'Thompson', 'Robinson', 'Wright', 'Walker'] },
  fr: { given: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Manon', 'Théo', 'Élodie', 'Julien', 'Margaux', 'Antoine'], surnames: ['Martin', 'Bernard', 'Dubois', 'Moreau', 'Laurent', 'Lefebvre', 'Girard', 'Rousseau', 'Fournier', 'Mercier'] },
  es: { given: ['Lucía', 'Alejandro', 'Carmen', 'Javier', 'Sofía', 'Pablo', 'Marta', 'Sergio', 'Elena', 'Diego'], surnames: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Jiménez'] },
  it: { given: ['Giulia', 'Francesco', 'Chiara', 'Alessandro', 'Martina', 'Lorenzo', 'Federica', 'Matteo', 'Valentina', 'Giuseppe'], surnames: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'] },
  pl: { given: ['Agnieszka', 'Piotr', 'Katarzyna', 'Krzysztof', 'Małgorzata', 'Tomasz', 'Magdalena', 'Paweł', 'Joanna', 'Marcin'], surnames: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak'] },
  tr: { given: ['Ayşe', 'Mehmet', 'Fatma', 'Mustafa', 'Emine', 'Ahmet', 'Zeynep', 'Hüseyin', 'Elif', 'Emre'], surnames: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Yıldırım', 'Öztürk', 'Aydın', 'Özdemir'] },
  pt: { given: ['Beatriz', 'João', 'Mariana', 'Tiago', 'Inês', 'Rafael', 'Ana', 'Gonçalo', 'Leonor', 'Rodrigo'], surnames: ['Silva', 'Santos', 'Ferreira', 'Pereira', 'Oliveira', 'Costa', 'Rodrigues', 'Almeida', 'Carvalho', 'Sousa'] },
  sv: { given: ['Astrid', 'Erik', 'Ingrid', 'Lars', 'Maja', 'Johan', 'Linnea', 'Nils', 'Sigrid', 'Oskar'], surnames: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson'] },
  in: { given: ['Priya', 'Rahul', 'Ananya', 'Arjun', 'Deepika', 'Vikram', 'Kavya', 'Rohan', 'Sneha', 'Aditya'], surnames: ['Sharma', 'Patel', 'Singh', 'Kumar', 'Gupta', 'Reddy', 'Iyer', 'Nair', 'Mehta', 'Chopra'] },
  ng: { given: ['Chinedu', 'Ngozi', 'Oluwaseun', 'Adaeze', 'Emeka', 'Folake', 'Tunde', 'Chiamaka', 'Babajide', 'Funmilayo'], surnames: ['Okafor', 'Adeyemi', 'Okonkwo', 'Balogun', 'Eze', 'Nwosu', 'Adebayo', 'Obi', 'Olawale', 'Chukwu'] },
}

export function latinNameSamples(): NameSample[] {
  const samples: NameSample[] = []
  for (const [locale, { given, surnames }] of Object.entries(LATIN)) {
    // Pair the i-th given name with the i-th and (i+3)-th surname: 20 per locale.
    given.forEach((g, i) => {
      samples.push({ given: g, surname: surnames[i % surnames.length]!, locale })
      samples.push({ given: g, surname: surnames[(i + 3) % surnames.length]!, locale })
    })
  }
  return samples
}

/** Names in their own scripts, as a person would type them into a display name. */
export const NON_LATIN_NAMES: readonly { text: string; locale: string }[] = [
  { text: 'Иван Петров', locale: 'ru' }, { text: 'Мария Иванова', locale: 'ru' }, { text: 'Алексей Смирнов', locale: 'ru' },
  { text: 'Ольга Кузнецова', locale: 'ru' }, { text: 'Дмитрий Соколов', locale: 'ru' }, { text: 'Олена Коваленко', locale: 'uk' },
  { text: 'Γιώργος Παπαδόπουλος', locale: 'el' }, { text: 'Μαρία Παπαδοπούλου', locale: 'el' }, { text: 'Νίκος Γεωργίου', locale: 'el' },
  { text: '山田太郎', locale: 'ja' }, { text: '山田 太郎', locale: 'ja' }, { text: '佐藤花子', locale: 'ja' }, { text: '鈴木一郎', locale: 'ja' },
  { text: '田中 美咲', locale: 'ja' }, { text: '高橋健', locale: 'ja' }, { text: '王伟', locale: 'zh' }, { text: '李娜', locale: 'zh' },
  { text: '张伟', locale: 'zh' }, { text: '刘洋', locale: 'zh' }, { text: '陈静', locale: 'zh' }, { text: '김민준', locale: 'ko' },
  { text: '이서연', locale: 'ko' }, { text: '박지훈', locale: 'ko' }, { text: 'محمد علي', locale: 'ar' }, { text: 'أحمد حسن', locale: 'ar' },
  { text: 'فاطمة الزهراء', locale: 'ar' }, { text: 'יוסי כהן', locale: 'he' }, { text: 'राहुल शर्मा', locale: 'hi' },
]
