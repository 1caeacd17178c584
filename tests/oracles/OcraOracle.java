// Batch driver for the RFC 6287 Appendix A reference (OCRA.java, extracted by
// extract_ocra_java.py). Reads one case per line on stdin: seven tab-separated fields
// suite, key, counter, question, password, session, timestamp, all in the reference's own
// conventions (hex strings; "-" stands for the empty string), and prints one answer per
// line: the reference's output, or "ERROR <exception>" if it threw.
import java.io.BufferedReader;
import java.io.InputStreamReader;

public class OcraOracle {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "US-ASCII"));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            if (f.length != 7) {
                out.append("ERROR bad line\n");
                continue;
            }
            for (int i = 0; i < f.length; i++) {
                if (f[i].equals("-")) f[i] = "";
            }
            try {
                out.append(OCRA.generateOCRA(f[0], f[1], f[2], f[3], f[4], f[5], f[6]));
            } catch (Exception e) {
                out.append("ERROR ").append(e.getClass().getSimpleName());
            }
            out.append('\n');
        }
        System.out.print(out);
    }
}
