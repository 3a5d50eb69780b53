#!/usr/bin/env python3
"""Write samples.txt, the evaluation set of the charset detector
(tests/unit/test_detect.c, case `evaluation`).

Each line of samples.txt is "ENCODING<TAB>TEXT": TEXT is UTF-8, with \\n for
a line feed and \\\\ for a backslash; ENCODING is an ICU converter name,
with "+BOM" to write a byte-order mark first. The test encodes TEXT with
ICU, runs the bytes through the decode filter with detection on and wants
TEXT back byte for byte.

The Chinese lines are cut (4-16 characters, and some whole sentences) from
the Universal Dependencies Chinese-GSD dev sentences (CC BY-SA 4.0), in
Simplified for GBK/GB18030 and Traditional for Big5. Everything else was
written for this set. None of it went into the detector's tables
(filters/hanfreq.c is built from rime-essay only).

Regenerate: python3 tests/detect/make_samples.py UD_DIR > tests/detect/samples.txt
where UD_DIR holds dev.hans.txt and dev.hant.txt.
"""
import random
import sys

S = {}
S['ja'] = [
"今日は朝から雨が降っていたので、駅まで傘をさして歩きました。",
"この本は去年の夏に友達からもらったもので、まだ半分しか読んでいません。",
"東京の地下鉄はとても便利ですが、朝の通勤時間はかなり混雑します。",
"新しいソフトウェアのテストが終わったら、結果をメールで送ってください。",
"私たちは来週の会議で、予算の見直しについて話し合う予定です。",
"彼女はピアノを弾くのが上手で、毎週日曜日に教会で演奏している。",
"山の上から見た景色は本当に美しく、写真を何枚も撮りました。",
"このレストランのラーメンは安くておいしいので、いつも行列ができている。",
"子どもたちは公園でサッカーをしたり、ブランコに乗ったりして遊んでいた。",
"天気予報によると、明日の午後から晴れるそうです。",
"日本語を勉強して三年になりますが、漢字を書くのはまだ難しいです。",
"お客様の個人情報は、法律に従って適切に管理いたします。",
"図書館は月曜日が休みなので、火曜日に本を返しに行きます。",
"駅前の喫茶店で、古い友人と久しぶりにコーヒーを飲んだ。",
"この町には古いお寺がたくさんあって、秋になると観光客が増える。",
"会社の近くに新しいスーパーができたので、買い物が楽になりました。",
]
S['ko'] = [
"오늘은 날씨가 맑아서 친구들과 함께 공원에 산책을 갔습니다.",
"이 책은 한국의 역사와 문화에 대해 자세히 설명하고 있다.",
"회의는 다음 주 월요일 오전 열 시에 시작할 예정입니다.",
"서울의 지하철은 깨끗하고 편리해서 많은 사람들이 이용한다.",
"저는 매일 아침 일곱 시에 일어나서 운동을 합니다.",
"새로운 프로그램을 설치하기 전에 컴퓨터를 다시 시작하세요.",
"우리 가족은 주말마다 할머니 댁에 가서 저녁을 먹는다.",
"학생들은 시험이 끝난 후에 도서관에서 책을 빌렸다.",
"이 식당의 김치찌개는 맛있고 가격도 싸서 인기가 많다.",
"정부는 내년부터 새로운 교육 정책을 시행할 계획이라고 밝혔다.",
"가을이 되면 산에 단풍이 들어서 경치가 아주 아름답습니다.",
"전화번호를 잘못 눌러서 모르는 사람에게 전화를 걸었다.",
]
S['ru'] = [
"Вчера вечером мы долго гуляли по набережной и разговаривали о будущем.",
"Этот город известен своими старыми церквями и широкими улицами.",
"Пожалуйста, отправьте отчёт до пятницы, чтобы мы успели его проверить.",
"Библиотека работает ежедневно с девяти утра до восьми вечера.",
"Мой брат учится в университете и хочет стать инженером.",
"Зимой здесь очень холодно, а летом часто идут дожди.",
"Новая версия программы исправляет несколько серьёзных ошибок.",
"Она прочитала письмо и долго смотрела в окно, ничего не говоря.",
"На рынке продают свежие овощи, фрукты, мёд и домашний сыр.",
"Поезд опоздал на сорок минут из-за сильного снегопада.",
"Директор школы поблагодарил учителей за хорошую работу.",
"Мы решили провести отпуск на берегу Чёрного моря.",
"Врач посоветовал ему больше ходить пешком и меньше есть сладкого.",
"В этом году урожай пшеницы оказался выше, чем ожидали.",
"Дети построили во дворе снежную крепость и играли до темноты.",
"Конференция пройдёт в Москве в начале октября.",
"Кошка спала на подоконнике, свернувшись клубком.",
"Студенты сдали экзамены и разъехались по домам.",
"Главная площадь города была украшена флагами и цветами.",
"Он всегда пьёт чай с лимоном и читает газету за завтраком.",
"Экономика страны медленно восстанавливается после кризиса.",
]
S['uk'] = [
"Сьогодні в Києві тепла погода, і багато людей гуляють у парку.",
"Ця книжка розповідає про історію українського села.",
"Будь ласка, зачекайте хвилинку, я зараз повернуся.",
"Наша родина щоліта їздить до бабусі на Полтавщину.",
]
S['bg'] = [
"Вчера вечерта отидохме на театър и гледахме нова пиеса.",
"Софийският университет е най-старото висше училище в България.",
"Моля, изпратете ми документите по електронната поща.",
]
S['pl'] = [
"Wczoraj wieczorem poszliśmy do kina na nowy polski film.",
"Zażółć gęślą jaźń to zdanie, które zawiera wszystkie polskie litery.",
"Proszę zamknąć drzwi, bo w pokoju robi się zimno.",
"Mój dziadek mieszka na wsi i hoduje pszczoły oraz kury.",
"Spotkanie zarządu odbędzie się w przyszły czwartek o godzinie dziesiątej.",
"Kraków jest jednym z najpiękniejszych miast w Europie Środkowej.",
"Dzieci bawiły się na śniegu aż do zmroku.",
"Ceny żywności wzrosły w ostatnim kwartale o kilka procent.",
]
S['cs'] = [
"Příliš žluťoučký kůň úpěl ďábelské ódy.",
"Včera jsme byli na výletě v horách a počasí bylo krásné.",
"Praha je hlavní město České republiky a leží na řece Vltavě.",
"Prosím, pošlete mi zprávu do konce týdne.",
"Moje sestra studuje medicínu na Karlově univerzitě.",
"V obchodě jsem koupil chléb, mléko, sýr a čerstvou zeleninu.",
]
S['sk'] = [
"Bratislava leží na brehu Dunaja a je hlavným mestom Slovenska.",
"Ďakujem vám za pomoc, bez vás by som to nezvládol.",
]
S['hu'] = [
"Tegnap este elmentünk a barátainkkal egy új étterembe.",
"Árvíztűrő tükörfúrógép – ez a mondat minden magyar ékezetes betűt tartalmaz.",
"A könyvtár hétfőn zárva van, de kedden reggel nyolckor nyit.",
]
S['ro'] = [
"Mâine vom merge la munte împreună cu prietenii noştri.",
"Bucureşti este cel mai mare oraş din România.",
]
S['hr'] = [
"Zagreb je glavni grad Hrvatske i najveći grad u zemlji.",
"Jučer smo šetali uz more i jeli sladoled na rivi.",
]
S['fr'] = [
"L'été dernier, nous avons passé deux semaines à la mer près de Nice.",
"Le garçon a mangé une crème brûlée et a bu un café très sucré.",
"Où se trouve la gare, s'il vous plaît ? Je dois prendre le train de midi.",
"Les élèves doivent rendre leurs devoirs avant vendredi.",
"Ça fait déjà trois ans que j'habite à Montréal, et je ne regrette rien.",
"Noël approche : les rues sont décorées et les enfants sont impatients.",
"Le ministère a annoncé une réforme du système de santé.",
"Il faut être prêt à tout, même au pire.",
"Mon cœur bat plus vite quand je pense à nos vacances.",
]
S['de'] = [
"Die Straßenbahn fährt alle zehn Minuten zum Hauptbahnhof.",
"Können Sie mir bitte sagen, wo die nächste Apotheke ist?",
"Im Frühling blühen die Bäume in unserem Garten wunderschön.",
"Wir müssen das Problem gründlich prüfen, bevor wir eine Lösung vorschlagen.",
"Meine Großmutter backt jeden Sonntag einen Apfelkuchen.",
"Übermorgen beginnt die Ausstellung im städtischen Museum.",
"Für die Prüfung habe ich fünf Wochen lang gelernt.",
]
S['es'] = [
"¿Dónde está la biblioteca? Necesito devolver un libro mañana.",
"El niño comió una manzana y después jugó en el jardín.",
"La reunión empezará a las nueve en punto, así que no llegues tarde.",
"España es famosa por su música, su comida y sus fiestas.",
"¡Qué alegría verte otra vez después de tantos años!",
]
S['pt'] = [
"A reunião foi adiada para a próxima terça-feira à tarde.",
"São Paulo é a maior cidade do Brasil e uma das maiores do mundo.",
"Não se esqueça de levar o guarda-chuva, vai chover hoje.",
]
S['it'] = [
"Perché non vieni con noi al mare questo fine settimana?",
"La città è piena di turisti in estate, soprattutto a luglio.",
]
S['sv'] = ["Vi åkte till stugan i skärgården och fiskade hela dagen.",
"Många människor tycker om att gå på långa promenader i skogen."]
S['el'] = [
"Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και μία από τις αρχαιότερες πόλεις του κόσμου.",
"Χθες το βράδυ πήγαμε σε μια ταβέρνα κοντά στη θάλασσα.",
"Παρακαλώ, στείλτε μου την αναφορά μέχρι την Παρασκευή.",
"Τα παιδιά έπαιζαν στην αυλή μέχρι να νυχτώσει.",
"Το καλοκαίρι πολλοί τουρίστες επισκέπτονται τα νησιά του Αιγαίου.",
"Ο γιατρός του είπε να περπατάει κάθε μέρα.",
"Η βιβλιοθήκη είναι κλειστή την Κυριακή.",
"Μου αρέσει πολύ ο ελληνικός καφές με λίγη ζάχαρη.",
]
S['tr'] = [
"Dün akşam arkadaşlarımla birlikte yeni açılan lokantaya gittik.",
"İstanbul, Asya ile Avrupa arasında köprü kuran eşsiz bir şehirdir.",
"Lütfen raporu cuma gününe kadar gönderin.",
"Çocuklar bahçede top oynarken yağmur başladı.",
"Öğretmenimiz bize Türk edebiyatının önemli şairlerini anlattı.",
"Bu kitabı okuduktan sonra düşüncelerim tamamen değişti.",
]
S['he'] = [
"אתמול בערב הלכנו לסרט חדש בקולנוע ליד הים.",
"ירושלים היא עיר עתיקה וחשובה לשלוש דתות.",
"בבקשה שלחו לי את הדוח עד יום שישי.",
"הילדים שיחקו בגן עד שהחשיך.",
]
S['ar'] = [
"ذهبنا أمس إلى السوق واشترينا الخضار والفواكه الطازجة.",
"القاهرة هي عاصمة مصر وأكبر مدينة في العالم العربي.",
"من فضلك أرسل لي التقرير قبل يوم الجمعة.",
]
S['lt'] = [
"Vilnius yra Lietuvos sostinė ir didžiausias šalies miestas.",
"Vakar vakare mes ėjome pasivaikščioti prie upės.",
"Prašau atsiųsti man ataskaitą iki penktadienio.",
]
S['en'] = [
"The quick brown fox jumps over the lazy dog.",
"Please send the quarterly report to the finance team by Friday.",
]


def esc(t):
    return t.replace("\\", "\\\\").replace("\n", "\\n")


def fits(t, codec):
    try:
        t.encode(codec)
        return True
    except UnicodeEncodeError:
        return False


def main():
    rnd = random.Random(20261122)
    ud = sys.argv[1]
    hans = [l.strip() for l in open(ud + "/dev.hans.txt", encoding="utf-8")]
    hant = [l.strip() for l in open(ud + "/dev.hant.txt", encoding="utf-8")]
    out = []

    def add(enc, text):
        out.append("%s\t%s" % (enc, esc(text)))

    def short(lines, start, count, enc, codec):
        i, made = start, 0
        while made < count:
            line = lines[i]
            i += 1
            k = rnd.randint(4, 16)
            if len(line) < k:
                continue
            cut = line[:k]
            if not fits(cut, codec):
                continue
            add(enc, cut + ("\n" if made % 2 else ""))
            made += 1
        return i

    out.append("# short Chinese lines, 4-16 characters")
    short(hans, 0, 40, "GBK", "gbk")
    short(hant, 250, 40, "Big5", "big5")
    out.append("# Chinese sentences")
    for i in range(100, 108):
        if fits(hans[i], "gb18030"):
            add("GB18030", hans[i] + "\n")
    for i in range(350, 366, 2):
        t = hant[i] + "\n" + hant[i + 1] + "\n"
        if fits(t, "big5"):
            add("Big5", t)
    ja, ko = S["ja"], S["ko"]
    out.append("# Japanese, Korean")
    for i in range(8):
        add("Shift_JIS", ja[i] + ("\n" + ja[i + 8] if i % 3 == 0 else "")
            + "\n")
        add("EUC-JP", ja[(i + 5) % 16] + "\n")
    for i, t in enumerate(ko):
        add("EUC-KR", t + ("\n" + ko[(i + 3) % 12] if i % 4 == 0 else "")
            + "\n")
    out.append("# single-byte charsets")
    ru = S["ru"]
    for i in range(8):
        add("windows-1251", ru[i] + "\n")
    for i in range(8, 15):
        add("KOI8-R", ru[i] + "\n")
    for i in range(15, 21):
        add("ISO-8859-5", ru[i] + "\n")
    for t in S["uk"][:2] + S["bg"]:
        add("windows-1251", t + "\n")
    for t in S["uk"][2:]:
        add("KOI8-U", t + "\n")
    for lang, split in (("pl", 4), ("cs", 3), ("hu", 2)):
        for i, t in enumerate(S[lang]):
            add("windows-1250" if i < split else "ISO-8859-2", t + "\n")
    for t in S["sk"] + S["ro"] + S["hr"]:
        add("windows-1250", t + "\n")
    for lang, split in (("fr", 6), ("de", 5), ("es", 5), ("pt", 3),
                        ("it", 2), ("sv", 2)):
        for i, t in enumerate(S[lang]):
            add("windows-1252" if i < split else "ISO-8859-15", t + "\n")
    for i, t in enumerate(S["el"]):
        add("windows-1253" if i < 5 else "ISO-8859-7", t + "\n")
    for t in S["tr"]:
        add("windows-1254", t + "\n")
    for t in S["he"]:
        add("windows-1255", t + "\n")
    for t in S["ar"]:
        add("windows-1256", t + "\n")
    for t in S["lt"]:
        add("windows-1257", t + "\n")
    out.append("# Unicode")
    mixed = [hans[200], hant[201], ja[10], ko[6], ru[3], S["fr"][4],
             S["el"][1], S["en"][0]]
    for t in mixed:
        add("UTF-8", t + "\n")
    wide = [hans[210] + "\n", ja[11] + "\n", ru[5] + "\n",
            S["en"][1] + "\n", hant[212] + "\n" + hant[213] + "\n",
            ko[8] + "\n", S["de"][2] + "\n", hans[214]]
    for i, t in enumerate(wide):
        add("UTF-16LE" if i % 2 == 0 else "UTF-16BE", t)
    add("UTF-16LE+BOM", hans[220] + "\n")
    add("UTF-16LE+BOM", S["tr"][1] + "\n")
    add("UTF-16BE+BOM", hant[221] + "\n")
    add("UTF-16BE+BOM", ja[12] + "\n")
    add("UTF-32LE", hans[222] + "\n")
    add("UTF-32LE", S["el"][2] + "\n")
    add("UTF-32BE+BOM", ru[7] + "\n")
    add("UTF-8+BOM", hans[223] + "\n")
    print("# Evaluation set of the charset detector; generated by "
          "make_samples.py.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
